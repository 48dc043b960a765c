"""Headless Chromium (Debian's package) driven by Playwright for browser journeys."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium(executable: str) -> None:
    """Skip a browser journey without Chromium on a developer's machine; fail it in CI.

    A skipped journey in CI would look green while testing nothing, so there (CI set, as
    every CI service does) a missing browser is an error of the build machine.
    """
    if os.path.exists(executable):
        return
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(
            f"Debian's chromium is not installed at {executable} and CI is set: browser journeys "
            "must run in CI (install it with `make system-deps`)",
            pytrace=False,
        )
    pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")


@pytest.fixture
def browser_page(live_server):
    """A fresh browser page; the live server runs in this process on another thread."""
    require_chromium(CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    # expect() waits 5 s by default, separately from the page's timeout; on a busy 2-core
    # machine running two test processes a generation's images can take longer to appear.
    expect.set_options(timeout=15_000)

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the
    # test makes between page actions are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 390, "height": 844},
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            try:
                yield page
            finally:
                context.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        shutil.rmtree(profile, ignore_errors=True)


def sign_in(page, base: str, email: str, password: str) -> None:
    """Sign in through the login form, as a person would, dropping any previous session."""
    # Let the previous page finish its requests (images, HTMX) before the cookies go,
    # or they race the new sign-in's CSRF cookie.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has([name=login]) button[type=submit]").first.click()
    page.wait_for_load_state()
