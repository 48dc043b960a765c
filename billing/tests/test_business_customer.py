"""A business's Stripe customer (issue #15 item 6, seed 001): written when the business first
pays, never overwritten (a conditional update), and reused for later checkouts so Stripe keeps
one customer, with its invoices, per business. Stripe's HTTP API is the local stub."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from accounts.models import BusinessProfile
from billing.models import Wallet
from billing.services.webhooks import event_build as event
from modelsnapper.testing.threads import closes_connections

from .helpers import paid_session


@pytest.fixture
def bizco(business):
    BusinessProfile.objects.get_or_create(user=business, defaults={"business_name": "Bizco Ltd"})
    return business


def stored_customer(user) -> str:
    return BusinessProfile.objects.get(user_id=user.pk).stripe_customer_id


def test_a_business_paying_for_the_first_time_gets_its_stripe_customer_recorded(bizco, catalog, stripe_post):
    assert (
        stripe_post(event("checkout.session.completed", paid_session(bizco, "cus_first"))).status_code == 200
    )

    assert stored_customer(bizco) == "cus_first"
    assert Wallet.objects.get(user_id=bizco.pk).purchased == 50


def test_a_later_payment_with_another_customer_never_overwrites_the_first(bizco, catalog, stripe_post):
    stripe_post(event("checkout.session.completed", paid_session(bizco, "cus_first")))

    stripe_post(event("checkout.session.completed", paid_session(bizco, "cus_second")))

    assert stored_customer(bizco) == "cus_first"
    assert Wallet.objects.get(user_id=bizco.pk).purchased == 100


def test_two_first_payments_delivered_at_once_record_exactly_one_customer(bizco, catalog, stripe_post):
    events = [event("checkout.session.completed", paid_session(bizco, f"cus_race{i}")) for i in range(6)]
    barrier = threading.Barrier(len(events))

    @closes_connections
    def deliver(evt):
        barrier.wait()
        return stripe_post(evt, http=Client()).status_code

    with ThreadPoolExecutor(len(events)) as pool:
        assert list(pool.map(deliver, events)) == [200] * len(events)

    winner = stored_customer(bizco)
    assert winner in {f"cus_race{i}" for i in range(6)}
    stripe_post(event("checkout.session.completed", paid_session(bizco, "cus_late")))
    assert stored_customer(bizco) == winner
    assert Wallet.objects.get(user_id=bizco.pk).purchased == 50 * 7


def test_the_next_checkout_of_a_business_reuses_its_customer_instead_of_its_email(
    client, bizco, catalog, stripe_post, stripe_stub
):
    stripe_post(event("checkout.session.completed", paid_session(bizco, "cus_first")))
    client.force_login(bizco)

    assert client.post("/billing/checkout/price_pack_starter/", {"token": "t2"}).status_code == 302

    form = stripe_stub.requests[-1][2]
    assert form["customer"] == "cus_first"
    assert "customer_email" not in form


def test_a_creator_without_a_business_profile_pays_as_before(owner, catalog, stripe_post):
    assert (
        stripe_post(event("checkout.session.completed", paid_session(owner, "cus_creator"))).status_code
        == 200
    )

    assert Wallet.objects.get(user_id=owner.pk).purchased == 50
    assert not BusinessProfile.objects.filter(user_id=owner.pk).exists()
