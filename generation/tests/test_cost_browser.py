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

    # The pickers are real radio buttons; a person clicks their labels (the tiles).
    page.locator("label.segment", has_text="3").click()
    assert page.locator("input[name=num_outputs][value='3']").is_checked()
    assert cost.inner_text() == "6 credits"
    page.locator("label.segment", has_text="HD").click()
    assert cost.inner_text() == "12 credits"
