"""A new visitor signs up, confirms the email, logs in and turns on dark mode, in a real browser."""

import re

import pytest
from django.core import mail

from accounts.models import User
from modelsnapper.testing.browser import browser_page  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

PASSWORD = "a-long-and-unusual-passphrase-42"


def submit(page, field_name: str) -> None:
    """Click the submit button of the form that holds ``field_name``."""
    page.locator(f"form:has([name={field_name}]) button[type=submit]").first.click()


def test_visitor_signs_up_confirms_email_logs_in_and_turns_on_dark_mode(live_server, browser_page, db):  # noqa: F811
    page = browser_page
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "newcomer@example.com")
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page, "password2")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    assert User.objects.filter(username="newcomer").exists()

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    user = User.objects.get(username="newcomer")
    assert user.emailaddress_set.get().verified

    # Sign out, then sign in through the login form.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "newcomer@example.com")
    page.fill("input[name=password]", PASSWORD)
    submit(page, "login")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("data-theme") == "light"

    page.goto(f"{live_server.url}/settings/preferences/")
    page.check("input[name=dark_mode]")
    submit(page, "dark_mode")
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("data-theme") == "dark"
    user.refresh_from_db()
    assert user.preferences.dark_mode is True
