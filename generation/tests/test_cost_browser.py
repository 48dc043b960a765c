"""In a real browser: the cost on /generate/ follows the model, quality and number of images."""

import pytest

from modelsnapper.testing.browser import browser_page, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_the_cost_line_follows_the_options_before_submit(
    live_server,
    browser_page,  # noqa: F811
    funded,
    local_model,
    password,
    settings,
):
    settings.GENERATION_HD_MULTIPLIER = 2
    page = browser_page
    sign_in(page, live_server.url, funded.email, password)
    page.goto(f"{live_server.url}/generate/")
    cost = page.locator("#gen-cost")
    assert cost.inner_text() == "2 credits"

    page.locator("summary", has_text="Parameters").click()
    page.fill("input[name=num_outputs]", "3")
    assert cost.inner_text() == "6 credits"
    page.select_option("select[name=quality]", "hd")
    assert cost.inner_text() == "12 credits"
