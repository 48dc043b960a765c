"""In a real browser: buy a credit pack through the offline test checkout, watch the success page
turn from processing to done when Stripe's event arrives, then see the credits and the ledger line."""

import json
import urllib.request

import pytest
import stripe

from billing import offline_checkout
from billing.models import LedgerEntry, Payment, Wallet
from modelsnapper.testing.browser import browser_page, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def deliver(base: str, event: dict, secret: str) -> int:
    """What Stripe does: POST the signed event to the live server's webhook."""
    body = json.dumps(event)
    request = urllib.request.Request(
        f"{base}/billing/webhooks/stripe/",
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, secret),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_signed_in_user_buys_a_pack_and_sees_processing_then_credits_and_ledger_line(
    live_server,
    browser_page,  # noqa: F811
    wallet,
    owner,
    password,
    settings,
    monkeypatch,
):
    settings.BILLING_TEST_CHECKOUT = True
    # The offline checkout posts its events at once; hold them to play a webhook that is
    # still on its way while the success page is open.
    held: list[dict] = []
    monkeypatch.setattr(offline_checkout, "post_event", held.append)

    page = browser_page
    base = live_server.url
    sign_in(page, base, owner.email, password)
    page.goto(f"{base}/billing/pricing/")
    assert page.get_by_text("Test mode: no real payments are taken.").is_visible()
    page.locator("article.card", has=page.locator("h3", has_text="Starter pack")).get_by_role(
        "button", name="Buy now"
    ).click()
    page.wait_for_url("**/billing/checkout/test/price_pack_starter/")
    assert page.get_by_role("heading", name="Test checkout").is_visible()
    assert page.get_by_label("Card payment succeeds").is_checked()
    page.get_by_role("button", name="Pay (test)").click()

    page.wait_for_url("**/billing/checkout/success/?session_id=cs_*")
    status = page.locator("#checkout-status")
    assert status.locator("h2").inner_text() == "Processing…"
    # A package purchase asks for an invoice (invoice_creation), so Stripe also sends invoice.paid.
    assert [event["type"] for event in held] == ["checkout.session.completed", "invoice.paid"]
    assert Wallet.objects.get(user_id=owner.pk).purchased == 0

    assert deliver(base, held[0], settings.STRIPE_WEBHOOK_SECRET) == 200
    assert deliver(base, held[1], settings.STRIPE_WEBHOOK_SECRET) == 200  # the receipt grants nothing more
    # The page polls every 2 s and swaps the status in place.
    status.locator("h2", has_text="Payment complete").wait_for(timeout=6_000)
    session_id = page.url.split("session_id=")[1]
    assert Payment.objects.get(external_id=session_id, user_id=owner.pk).status == "completed"

    page.get_by_role("link", name="Go to your wallet").click()
    page.wait_for_url("**/billing/wallet/")
    assert page.locator("dt:has-text('Purchased') + dd").inner_text() == "50 (never expire)"
    assert page.locator("section.card", has_text="Credits").locator("p strong").first.inner_text() == "60"

    page.goto(f"{base}/billing/ledger/")
    row = page.locator("tbody tr", has=page.locator(".badge", has_text="Purchase"))
    assert row.count() == 1
    assert "+50 credits (purchased)" in row.inner_text()
    assert "Bought Starter pack" in row.inner_text()
    assert LedgerEntry.objects.filter(user_id=owner.pk, entry_type="purchase").count() == 1
