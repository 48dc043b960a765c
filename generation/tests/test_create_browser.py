"""In a real browser (issue 13, item 15): generating in place on the create page, twice, without
a reload; the style chips; the phone layout without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from generation.models import Job, PromptPreset
from modelsnapper.testing.browser import browser_page, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_generating_twice_in_place_shows_two_result_cards_without_a_reload(
    live_server,
    browser_page,  # noqa: F811
    funded,
    local_model,
    password,
):
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, funded.email, password)
    page.goto(f"{live_server.url}/generate/")
    page.evaluate("window.stillTheSamePage = true")  # gone if the page reloads or navigates
    cards = page.locator("#gen-results .create-card")
    assert cards.count() == 0

    page.fill("#id_prompt", "a lighthouse at dusk")
    page.locator("label.ratio-tile", has_text="16:9").click()
    page.locator("label.segment", has_text="2").click()
    page.get_by_role("button", name="Generate").click()
    cards.first.wait_for()
    page.fill("#id_prompt", "a paper boat in the rain")
    page.get_by_role("button", name="Generate").click()
    expect(cards).to_have_count(2)

    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url.endswith("/generate/")
    jobs = list(Job.objects.order_by("pk"))
    assert [job.prompt for job in jobs] == ["a lighthouse at dusk", "a paper boat in the rain"]
    assert [job.aspect_ratio for job in jobs] == ["16:9", "16:9"] and jobs[0].num_outputs == 2
    # Newest first, each the job's own card; the balance shown follows the two charges (4 + 4).
    assert cards.nth(0).get_attribute("id") == f"job-card-{jobs[1].pk}"
    assert cards.nth(1).get_attribute("id") == f"job-card-{jobs[0].pk}"
    assert page.locator("#gen-credits").inner_text() == "102 credits"
    expect(page.locator("#gen-results .create-card img")).to_have_count(4)


def test_a_refusal_shows_in_the_results_panel_with_the_pricing_link(
    live_server,
    browser_page,  # noqa: F811
    owner,
    local_model,
    password,
):
    from billing.services import wallet_for

    wallet_for(owner)  # 10 credits: four images at 2 credits each, then not enough for four more
    page = browser_page
    sign_in(page, live_server.url, owner.email, password)
    page.goto(f"{live_server.url}/generate/")
    page.fill("#id_prompt", "a fox")
    page.locator("label.segment", has_text="4").click()
    page.get_by_role("button", name="Generate").click()
    page.locator("#gen-results .create-card").first.wait_for()
    page.get_by_role("button", name="Generate").click()

    refusal = page.locator("#gen-results .create-refusal")
    refusal.wait_for()
    assert "Not enough credits" in refusal.inner_text()
    assert refusal.get_by_role("link", name="Buy credits").get_attribute("href") == "/billing/pricing/"
    assert Job.objects.count() == 1


def test_a_style_chip_adds_its_text_to_the_prompt_and_takes_it_back(
    live_server,
    browser_page,  # noqa: F811
    funded,
    local_model,
    password,
):
    PromptPreset.objects.create(name="Cinematic", text="cinematic lighting, 35mm film")
    page = browser_page
    sign_in(page, live_server.url, funded.email, password)
    page.goto(f"{live_server.url}/generate/")
    page.fill("#id_prompt", "a fox")

    chip = page.get_by_role("button", name="Cinematic")
    chip.click()
    assert page.input_value("#id_prompt") == "a fox, cinematic lighting, 35mm film"
    assert chip.get_attribute("aria-pressed") == "true"
    chip.click()
    assert page.input_value("#id_prompt") == "a fox"


@pytest.mark.parametrize("width", [390, 360])
def test_the_create_page_does_not_scroll_sideways_on_a_phone(
    live_server,
    browser_page,  # noqa: F811
    funded,
    local_model,
    password,
    width,
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server.url, funded.email, password)
    page.goto(f"{live_server.url}/generate/")
    page.fill("#id_prompt", "a very long prompt " * 12)
    page.locator("label.segment", has_text="4").click()
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#gen-results .create-card img")).to_have_count(4)

    assert not scrolls_sideways(page)
    page.goto(live_server.url + Job.objects.get().get_absolute_url())
    assert not scrolls_sideways(page)


def test_uploading_a_picture_in_place_makes_an_image_to_image_job(
    live_server,
    browser_page,  # noqa: F811
    funded,
    password,
    tmp_path,
):
    from generation.models import Kind
    from modelsnapper.testing.factories import AIModelFactory
    from modelsnapper.testing.media import png_bytes

    AIModelFactory(
        slug="local-dev", name="Local dev", provider="local", default_parameters={"image_input_key": "image"}
    )
    picture = tmp_path / "start.png"
    picture.write_bytes(png_bytes((40, 30)))
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, funded.email, password)
    page.goto(f"{live_server.url}/generate/")
    page.evaluate("window.stillTheSamePage = true")
    page.fill("#id_prompt", "as a pencil sketch")
    page.select_option("#id_model", "local-dev")
    page.locator("summary", has_text="Start from a picture").click()
    page.set_input_files("#id_upload", str(picture))
    page.get_by_role("button", name="Generate").click()

    page.locator("#gen-results .create-card").first.wait_for()
    assert page.evaluate("window.stillTheSamePage") is True
    job = Job.objects.get()
    assert job.kind == Kind.IMAGE_TO_IMAGE and job.source_image is not None
    assert (job.source_image.width, job.source_image.height) == (40, 30)
