"""In a real browser: select two images in history, delete them after confirming, they are gone;
the history's list and gallery views fit a phone (screenshots in /tmp/shots-gallery/) and axe-core
finds no serious or critical violation on them."""

from __future__ import annotations

import os

import pytest

from generation.models import Image
from modelsnapper.testing.a11y import axe_violations
from modelsnapper.testing.browser import browser_page, sign_in  # noqa: F401  (fixture)

from ..helpers import outputs

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("GALLERY_SHOTS_DIR", "/tmp/shots-gallery")


TOO_WIDE = """[...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 8).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


def _horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_select_two_images_in_history_delete_confirm_and_they_are_gone(
    live_server,
    browser_page,  # noqa: F811
    funded,
    make_job,
    password,
):
    job = make_job(funded, outputs=3, size=(512, 512), variants=True)
    first, second, kept = outputs(job)
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, funded.email, password)
    page.goto(f"{live_server.url}/generation/history/?view=gallery")

    page.check(f'input[name=images][value="{first.pk}"]')
    page.check(f'input[name=images][value="{second.pk}"]')
    page.select_option("#bulk-action", "delete")
    page.locator("#bulk-form button[type=submit]").click()

    page.wait_for_selector("h1:has-text('Delete 2 images?')")
    assert Image.objects.filter(deleted_at=None).count() == 3  # nothing happens before the confirmation
    page.locator("button", has_text="Delete").last.click()

    page.wait_for_selector("text=2 images deleted")
    tiles = page.locator(".gal-tile input[name=images]")
    assert [tiles.nth(n).get_attribute("value") for n in range(tiles.count())] == [str(kept.pk)]
    assert set(Image.objects.exclude(deleted_at=None).values_list("pk", flat=True)) == {first.pk, second.pk}


@pytest.mark.parametrize("width", [1366, 390, 360])
def test_history_list_and_gallery_fit_the_screen(
    live_server,
    browser_page,  # noqa: F811
    funded,
    make_job,
    local_model,
    password,
    width,
):
    for n in range(6):
        make_job(
            funded, outputs=1 + n % 4, size=(512, 512), variants=True, prompt=f"harbour at dawn, take {n}"
        )
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, funded.email, password)
    os.makedirs(SHOTS, exist_ok=True)
    for view in ("list", "gallery"):
        page.goto(f"{live_server.url}/generation/history/?view={view}")
        page.wait_for_load_state("networkidle")
        wide = page.evaluate(TOO_WIDE)  # names the culprits when it fails
        assert _horizontal_overflow(page) <= 0, f"{view} scrolls sideways at {width} px {wide}"
        page.screenshot(path=f"{SHOTS}/history-{view}-{width}.png", full_page=True)
        assert axe_violations(page) == [], f"{view} at {width} px"
