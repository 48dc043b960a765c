"""In a real browser: explore is a picture grid; a picture opens in the lightbox from the keyboard,
shows how it was made, closes on Esc with focus back on the picture, and "Use prompt" opens the
create page filled in. Without JavaScript the same picture is a link to the post's page."""

import re

import pytest

from modelsnapper.testing.browser import browser_page, sign_in  # noqa: F401  (fixture)
from modelsnapper.testing.factories.generation import AIModelFactory, JobFactory
from modelsnapper.testing.media import png_file
from social import services

pytestmark = pytest.mark.browser

PROMPT = "a lighthouse at dusk, volumetric light"


@pytest.fixture
def published(owner):
    """The owner's generation on "Flux Schnell (fast)" published as a post, an older photo before it
    and a text post after it (explore shows the newest first: text, generation, photo)."""
    services.post_create(author=owner, category="image-post", caption="An older photo", media=png_file())
    job = JobFactory(
        user=owner,
        ai_model=AIModelFactory(name="Flux Schnell (fast)", slug="flux-schnell"),
        prompt=PROMPT,
        seed=4242,
        outputs=1,
    )
    post = services.post_create(
        author=owner,
        category="image-post",
        caption="",
        media=png_file(size=(64, 64)),
        ai_details={
            "model": job.ai_model.name,
            "prompt": job.prompt,
            "parameters": job.parameters,
            "cost": 2,
            "seed": str(job.seed),
            "generation_id": str(job.pk),
        },
        source_image=str(job.images.get().pk),
    )
    services.post_create(
        author=owner, category="text-post", title="Field notes", caption="The tide came in early."
    )
    return post


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _focus_in_dialog(page) -> bool:
    return page.evaluate("!!document.activeElement.closest('dialog#lightbox')")


def test_a_picture_opens_in_the_lightbox_by_keyboard_and_use_prompt_fills_the_create_page(
    live_server,
    browser_page,  # noqa: F811
    friend,
    password,
    published,
):
    page = browser_page
    sign_in(page, live_server.url, friend.email, password)
    page.goto(f"{live_server.url}/social/explore/")
    link = page.locator(f"a.js-lightbox[href='{published.get_absolute_url()}']")
    assert page.locator(".media-grid article.tile-text h2", has_text="Field notes").count() == 1
    for width in (390, 360):
        page.set_viewport_size({"width": width, "height": 844})
        assert _no_sideways_scroll(page), width

    link.focus()
    page.keyboard.press("Enter")

    dialog = page.locator("dialog#lightbox[open]")
    dialog.wait_for()
    facts = dialog.locator(".lightbox-facts")
    assert facts.locator("dd").first.inner_text() == PROMPT
    assert "Flux Schnell (fast)" in facts.inner_text() and "4242" in facts.inner_text()
    assert _focus_in_dialog(page)
    for _ in range(12):  # the modal keeps focus inside however far one tabs
        page.keyboard.press("Tab")
        assert _focus_in_dialog(page)
    assert _no_sideways_scroll(page)

    page.keyboard.press("ArrowRight")  # the next picture of the page
    dialog.locator("h2", has_text="An older photo").wait_for()
    page.keyboard.press("ArrowLeft")
    dialog.locator(".lightbox-facts").wait_for()

    page.keyboard.press("Escape")
    page.locator("dialog#lightbox:not([open])").wait_for(state="attached")
    assert page.evaluate("document.activeElement.getAttribute('href')") == published.get_absolute_url()

    link.focus()
    page.keyboard.press("Enter")
    dialog.wait_for()
    dialog.get_by_role("link", name="Use prompt").click()
    page.wait_for_url(re.compile(r"/generate/\?"))
    assert page.locator("textarea[name=prompt]").input_value() == PROMPT


def test_without_javascript_a_grid_picture_is_a_link_to_its_post(
    live_server,
    browser_page,  # noqa: F811
    published,
):
    page = browser_page
    # The site runs no inline script (CSP), so refusing its script files is running it without JavaScript.
    page.route(re.compile(r".*\.js(\?.*)?$"), lambda route: route.abort())
    page.goto(f"{live_server.url}/social/explore/")

    page.locator(f"a.js-lightbox[href='{published.get_absolute_url()}']").click()

    page.wait_for_url(re.compile(re.escape(published.get_absolute_url()) + "$"))
    assert page.locator("dialog#lightbox[open]").count() == 0
    assert PROMPT in page.locator("section.ai-details").inner_text()
