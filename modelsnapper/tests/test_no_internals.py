"""No internals reach a person: no ObjectIds, no cents, no Python dicts in what a page shows.

The demo personas (seed_demo: demo1 a creator, demo2 a business, demo3 a model who approved
demo2) open the main pages; a royalty is accrued to demo3 so the money pages have something in
every currency. Only the visible text is read: ids in links and attributes are fine.
"""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from billing.services import royalty_accrue, royalty_clawback
from generation.models import Job

OBJECT_ID = re.compile(r"\b[0-9a-f]{24}\b")
CENTS = re.compile(r"\bcents?\b", re.I)

PAGES = {
    "demo1": [
        "/",
        "/billing/pricing/",
        "/billing/wallet/",
        "/billing/ledger/",
        "/billing/invoices/",
        "/billing/coins/",
        "/billing/subscription/",
        "/settings/",
        "/settings/sessions/",
        "/settings/preferences/",
        "/generation/analytics/",
        "/generation/models/",
    ],
    "demo2": [
        "/generation/marketplace/",
        "/generation/marketplace/requests/",
        "/generation/marketplace/history/",
        "/generation/marketplace/invoices/",
        "/billing/wallet/",
        "/billing/ledger/",
    ],
    "demo3": [
        "/generation/marketplace/onboarding/",
        "/generation/marketplace/inbox/",
        "/generation/marketplace/royalties/",
        "/billing/wallet/",
        "/billing/ledger/",
    ],
}


class VisibleText(HTMLParser):
    """Text nodes a person sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.hidden_depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden_depth += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def internals_in(text: str) -> list[str]:
    found = []
    for pattern in (OBJECT_ID, CENTS, re.compile(re.escape("{'"))):
        found += [text[max(0, m.start() - 40) : m.end() + 40] for m in pattern.finditer(text)]
    return found


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", users=3, images=1, stdout=StringIO())
    model = User.objects.get(username="demo3")
    jobs = list(Job.objects.order_by("pk")[:2])
    royalty_accrue(job_id=jobs[0].pk, model_user=model, amount_cents=100)
    royalty_accrue(job_id=jobs[-1].pk, model_user=model, amount_cents=100)
    royalty_clawback(job_id=jobs[-1].pk)
    return {user.username: user for user in User.objects.filter(username__in=PAGES)}


def test_visible_text_skips_attributes_and_scripts():
    html = '<a href="/p/0123456789abcdef01234567/">Open</a><script>x = {"a": 1}</script><p>Shown</p>'

    assert visible_text(html) == "Open Shown"


def test_the_checks_catch_each_kind_of_internal():
    assert internals_in("Royalty for generation 0123456789abcdef01234567")
    assert internals_in("Pending: 300 cents")
    assert internals_in("Parameters: {'steps': 30}")
    assert internals_in("Pending: $3.00") == []


@pytest.mark.slow  # seed_demo renders and signs real 1024 px images
def test_demo_personas_pages_show_no_ids_cents_or_dicts(client, demo):
    problems = {}
    for username, paths in PAGES.items():
        client.force_login(demo[username])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (username, path, response.status_code)
            found = internals_in(visible_text(response.content.decode()))
            if found:
                problems[f"{username} {path}"] = found

    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())
    # The royalty statement (an accrual and its clawback) reads in dollars.
    client.force_login(demo["demo3"])
    royalties = visible_text(client.get("/generation/marketplace/royalties/").content.decode())
    assert "$1.00" in royalties
    assert "-$1.00" in royalties
