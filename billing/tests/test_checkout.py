"""Checkout: Stripe sessions through the stub, the success page, and offline test mode."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.test import Client

from billing.models import LedgerEntry, Payment, Subscription, Wallet
from modelsnapper.testing.factories import SubscriptionFactory
from modelsnapper.testing.stripe_events import stripe_event

Type = LedgerEntry.Type


def test_buying_a_package_creates_a_checkout_session_carrying_user_and_price(
    owner_client, owner, catalog, stripe_stub
):
    response = owner_client.post("/billing/checkout/price_pack_starter/", {"token": "t1"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/pay/cs_stub_")
    method, path, form, headers = stripe_stub.requests[-1]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert form["client_reference_id"] == str(owner.pk)
    assert form["metadata[price_id]"] == "price_pack_starter"
    assert form["mode"] == "payment"
    assert form["line_items[0][price]"] == "price_pack_starter"
    assert "Idempotency-Key" in headers
    assert form["success_url"].endswith("/billing/checkout/success/?session_id={CHECKOUT_SESSION_ID}")


def test_subscribing_creates_a_subscription_mode_session_with_trial(owner_client, catalog, stripe_stub):
    assert owner_client.post("/billing/checkout/price_pro_yearly/", {"token": "t1"}).status_code == 302
    form = stripe_stub.requests[-1][2]
    assert form["mode"] == "subscription"
    assert form["subscription_data[trial_period_days]"] == "7"
    assert form["metadata[price_id]"] == "price_pro_yearly"


def test_unknown_package_or_plan_is_404(owner_client, catalog, stripe_stub):
    assert owner_client.post("/billing/checkout/price_nope/", {"token": "t1"}).status_code == 404
    assert owner_client.post("/billing/checkout/price_free/", {"token": "t1"}).status_code == 404
    assert owner_client.get("/billing/checkout/test/price_nope/").status_code == 404


def test_checkout_requires_login(client, catalog):
    response = client.post("/billing/checkout/price_pack_starter/", {"token": "t1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def paid(stub, owner):
    session_id = next(iter(stub.sessions))
    stub.sessions[session_id].update(payment_status="paid", status="complete", payment_intent="pi_stub_1")
    return stub.sessions[session_id]


def test_success_page_shows_processing_then_fulfils_from_stripe(owner_client, owner, catalog, stripe_stub):
    owner_client.post("/billing/checkout/price_pack_starter/", {"token": "t1"})
    session_id = next(iter(stripe_stub.sessions))
    page = owner_client.get(f"/billing/checkout/success/?session_id={session_id}")
    assert b"Processing" in page.content
    assert not Payment.objects.exists()
    paid(stripe_stub, owner)
    page = owner_client.get(f"/billing/checkout/success/?session_id={session_id}", HTTP_HX_REQUEST="true")
    assert b"50 credits" in page.content or b"complete" in page.content.lower()
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50


def test_webhook_and_success_page_at_once_grant_once(owner_client, owner, catalog, stripe_stub, stripe_post):
    owner_client.post("/billing/checkout/price_pack_starter/", {"token": "t1"})
    session = paid(stripe_stub, owner)
    event = stripe_event("checkout.session.completed", session)
    barrier = threading.Barrier(8)
    cookies = owner_client.cookies

    def webhook(_):
        barrier.wait()
        return stripe_post(event, http=Client()).status_code

    def success(_):
        browser = Client()
        browser.cookies = cookies
        barrier.wait()
        return browser.get(f"/billing/checkout/success/?session_id={session['id']}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda i: (webhook if i % 2 else success)(i), range(8)))
    assert codes == [200] * 8
    assert LedgerEntry.objects.filter(user_id=owner.pk, entry_type=Type.PURCHASE).count() == 1
    assert Payment.objects.count() == 1
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50


def test_success_page_does_not_fulfil_someone_elses_session(
    client, stranger, owner, catalog, stripe_stub, owner_client
):
    owner_client.post("/billing/checkout/price_pack_starter/", {"token": "t1"})
    session = paid(stripe_stub, owner)
    client.force_login(stranger)
    page = client.get(f"/billing/checkout/success/?session_id={session['id']}")
    assert b"Processing" in page.content
    assert not Payment.objects.exists()


# --- offline test mode ------------------------------------------------------------------


def test_offline_test_checkout_runs_the_real_webhook_path(owner_client, owner, catalog):
    page = owner_client.get("/billing/checkout/test/price_pack_starter/")
    assert b"Test mode" in page.content
    assert (
        owner_client.post("/billing/checkout/price_pack_starter/", {"token": "t1"})["Location"]
        == "/billing/checkout/test/price_pack_starter/"
    )
    response = owner_client.post(
        "/billing/checkout/test/price_pack_starter/", {"outcome": "paid", "token": "t1"}
    )
    assert response.status_code == 302
    assert "/billing/checkout/success/?session_id=cs_test_" in response["Location"]
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50
    page = owner_client.get(response["Location"])
    assert b"Payment complete" in page.content


def test_offline_async_outcomes(owner_client, owner, catalog):
    owner_client.post(
        "/billing/checkout/test/price_pack_starter/", {"outcome": "async_failure", "token": "t1"}
    )
    assert owner_client.get("/billing/wallet/").status_code == 200
    assert Wallet.objects.get(user_id=owner.pk).purchased == 0
    assert Payment.objects.get().status == "failed"
    owner_client.post(
        "/billing/checkout/test/price_pack_starter/", {"outcome": "async_success", "token": "t2"}
    )
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50


def test_offline_subscription_checkout_then_change_cancel_and_resume(owner_client, owner, catalog):
    response = owner_client.post(
        "/billing/checkout/test/price_plus_monthly/", {"outcome": "paid", "token": "t1"}
    )
    assert response.status_code == 302
    sub = Subscription.objects.get(user_id=owner.pk)
    assert (sub.tier, sub.status) == ("plus", "active")
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert (wallet.plan_code, wallet.allowance) == ("plus", 100)
    assert b"Payment complete" in owner_client.get(response["Location"]).content

    owner_client.post("/billing/subscription/cancel/")
    assert Subscription.objects.get(user_id=owner.pk).cancel_at_period_end is True
    owner_client.post("/billing/subscription/resume/")
    assert Subscription.objects.get(user_id=owner.pk).cancel_at_period_end is False
    owner_client.post("/billing/subscription/change/", {"price_id": "price_pro_monthly"})
    sub = Subscription.objects.get(user_id=owner.pk)
    assert sub.tier == "pro"
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert (wallet.plan_code, wallet.allowance) == ("pro", 1000)  # upgraded: topped up at once
    owner_client.post("/billing/subscription/change/", {"price_id": "price_plus_monthly"})
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert (wallet.plan_code, wallet.allowance) == ("plus", 1000)  # downgrade waits for the next period
    owner_client.post("/billing/subscription/change/", {"price_id": "price_pro_monthly"})
    assert Wallet.objects.get(user_id=owner.pk).allowance == 1000  # one top-up per period and plan
    page = owner_client.get("/billing/subscription/")
    assert page.status_code == 200 and b"Pro" in page.content


def test_test_checkout_is_gone_when_stripe_is_configured(owner_client, catalog, stripe_stub):
    assert owner_client.get("/billing/checkout/test/price_pack_starter/").status_code == 404


def test_stripe_portal_and_plan_changes_go_through_stripe(owner_client, subscriber, catalog, stripe_stub):
    response = owner_client.post("/billing/subscription/portal/")
    assert response["Location"] == "https://billing.stripe.test/session/bps_1"
    owner_client.post("/billing/subscription/change/", {"price_id": "price_pro_monthly"})
    form = stripe_stub.requests[-1][2]
    assert form["items[0][price]"] == "price_pro_monthly"
    assert form["proration_behavior"] == "create_prorations"
    owner_client.post("/billing/subscription/cancel/")
    assert stripe_stub.requests[-1][2]["cancel_at_period_end"] == "true"


def test_a_second_subscription_checkout_goes_to_plan_management(owner_client, owner, catalog):
    owner_client.post("/billing/checkout/test/price_plus_monthly/", {"outcome": "paid", "token": "t1"})
    response = owner_client.post("/billing/checkout/price_pro_monthly/", {"token": "t1"})
    assert response["Location"] == "/billing/subscription/"
    assert (
        owner_client.post("/billing/checkout/test/price_pro_monthly/", {"token": "t2"})["Location"]
        == "/billing/subscription/"
    )
    assert Subscription.objects.get(user_id=owner.pk).tier == "plus"


def test_a_subscriber_buying_a_pack_sees_processing_until_the_pack_is_paid(
    owner_client, owner, catalog, stripe_stub
):
    SubscriptionFactory(user=owner, stripe_subscription_id="sub_1")
    owner_client.post("/billing/checkout/price_pack_starter/", {"token": "t1"})
    session_id = next(iter(stripe_stub.sessions))
    assert "kind=plan" not in stripe_stub.requests[-1][2]["success_url"]
    page = owner_client.get(f"/billing/checkout/success/?session_id={session_id}")
    assert b"Processing" in page.content
