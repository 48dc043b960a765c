"""The layout in a real browser: phones never scroll sideways, axe finds nothing serious in light
or dark, and the account menu works from the keyboard.

The demo personas (seed_demo) make the pages look as a new user sees them after `make run`:
posts with pictures, jobs, a ledger, a marketplace. Set SHOTS_DIR to keep screenshots at
1366 and 390 px for a person to look at.
"""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from generation.models import Job
from modelsnapper.testing.a11y import axe_violations
from modelsnapper.testing.browser import browser_page, sign_in  # noqa: F401  (fixture)
from social.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "modelsnapper-demo"
SHOTS_DIR = os.environ.get("SHOTS_DIR", "")


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", users=3, images=1, password=PASSWORD, stdout=StringIO())
    creator = User.objects.get(username="demo1")
    post = Post.objects.filter(listed=True).exclude(media="").order_by("-pk").first()
    job = Job.objects.filter(user=creator, status="completed").order_by("-pk").first()
    return {"post": f"/social/p/{post.pk}/", "job": f"/generation/jobs/{job.pk}/"}


def phone_pages(demo) -> dict[str | None, list[str]]:
    """Who opens which page: None is a visitor."""
    return {
        None: ["/", "/social/explore/", "/billing/pricing/"],
        "demo1@example.com": [
            "/",
            "/social/explore/",
            demo["post"],
            "/generate/",
            demo["job"],
            "/generation/history/",
            "/billing/pricing/",
            "/billing/wallet/",
            "/billing/ledger/",
            "/billing/invoices/",
            "/settings/sessions/",
        ],
        "demo2@example.com": ["/generation/marketplace/", "/generation/marketplace/invoices/"],
        "demo3@example.com": ["/generation/marketplace/royalties/"],
    }


def open_as(page, base: str, email: str | None) -> None:
    if email is None:
        page.context.clear_cookies()
    else:
        sign_in(page, base, email, PASSWORD)


def shoot(page, width: int, who: str | None, path: str) -> None:
    if SHOTS_DIR:
        name = re.sub(r"[^a-z0-9]+", "_", path.strip("/")) or "home"
        page.screenshot(path=str(Path(SHOTS_DIR) / f"{width}-{(who or 'visitor').split('@')[0]}-{name}.png"))


def test_no_main_page_scrolls_sideways_on_a_phone(live_server, browser_page, demo):  # noqa: F811
    page, base = browser_page, live_server.url
    if SHOTS_DIR:
        Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
    too_wide = []
    for width in (390, 360, 1366):
        page.set_viewport_size({"width": width, "height": 844 if width < 1000 else 900})
        for who, paths in phone_pages(demo).items():
            open_as(page, base, who)
            for path in paths:
                assert page.goto(base + path).status == 200, path
                page.wait_for_load_state("networkidle")
                scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if scroll > inner:
                    too_wide.append(f"{width}px {who or 'visitor'} {path}: {scroll} > {inner}")
                if width != 360:
                    shoot(page, width, who, path)

    assert too_wide == []


def set_theme(user: User, dark: bool) -> None:
    user.preferences.dark_mode = dark
    user.save(update_fields=["preferences"])


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_main_pages_have_no_serious_accessibility_violations(live_server, browser_page, demo, theme):  # noqa: F811
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    for username in ("demo1", "demo2"):
        set_theme(User.objects.get(username=username), theme == "dark")
    plan = {
        None: ["/", "/social/explore/", "/billing/pricing/"],
        "demo1@example.com": [
            "/",
            "/social/explore/",
            demo["post"],
            "/generate/",
            demo["job"],
            "/generation/history/",
            "/billing/pricing/",
            "/billing/wallet/",
        ],
        "demo2@example.com": ["/generation/marketplace/"],
    }
    found = {}
    for who, paths in plan.items():
        open_as(page, base, who)
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if who is not None:
                assert page.locator("html").get_attribute("data-theme") == theme
            violations = axe_violations(page)
            if violations:
                found[f"{who or 'visitor'} {path}"] = violations

    assert found == {}


def test_the_account_menu_opens_from_the_keyboard_and_closes_with_escape(
    live_server,
    browser_page,  # noqa: F811
    owner,
    password,
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1024, "height": 800})
    sign_in(page, base, owner.email, password)
    page.goto(base + "/")
    menu = page.locator("details.nav-account")
    toggle = menu.locator("summary")
    assert toggle.get_attribute("aria-label") is None and "Your account" in toggle.inner_text()

    toggle.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None
    # The first key press also remembered the browser's time zone for the next pages.
    assert "tz" in {cookie["name"] for cookie in page.context.cookies()}
    wallet = page.get_by_role("link", name="Wallet and credits")
    assert wallet.is_visible()
    # Every primary entry and the menu fit on one line at 1024 px.
    tops = page.evaluate(
        "[...document.querySelectorAll('.nav-primary a, .nav-end > *')].map(e => e.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) < 12, tops

    page.keyboard.press("Escape")
    assert menu.get_attribute("open") is None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"

    toggle.focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Wallet and credits").click()
    page.wait_for_url("**/billing/wallet/")


def test_a_bell_refresh_after_the_session_ended_never_pastes_a_page_into_the_header(
    live_server,
    browser_page,  # noqa: F811
    owner,
    password,
):
    page, base = browser_page, live_server.url
    sign_in(page, base, owner.email, password)
    page.goto(base + "/billing/wallet/")
    page.wait_for_load_state("networkidle")

    # The session ends (signed out in another tab); the bell's next refresh is answered with the
    # sign-in page. The refresh is the slot's own request, started now instead of in a minute.
    page.context.clear_cookies()
    with page.expect_response("**/accounts/login/**"):
        page.evaluate(
            "htmx.ajax('GET', document.querySelector('.nav-bell-slot').getAttribute('hx-get'),"
            " {source: '.nav-bell-slot', target: '.nav-bell-slot', swap: 'innerHTML'})"
        )
    page.wait_for_load_state("networkidle")

    assert page.locator("header .nav-end").count() == 1
    assert page.locator("header").get_by_text("Sign up").count() == 0
    assert page.locator("header details.nav-account").count() == 1
