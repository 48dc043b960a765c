"""A refunded package takes its human-model access with it, through the real signed webhook.

The Business pack (1,000 credits, $69.00) is the seeded package that grants
``human_model_access``. A refund that leaves its payment fully refunded
recomputes the flag from the user's other completed, not fully refunded
payments of packages that grant it; a partial refund keeps it.
"""

import pytest

from billing.models import Package, Payment, Wallet
from billing.selectors import ledger_drifts
from modelsnapper.testing.stripe_events import buy_package as buy
from modelsnapper.testing.stripe_events import refund_event


@pytest.fixture
def business_pack(catalog):
    return Package.objects.get(stripe_price_id="price_pack_business")  # access, $69.00


@pytest.fixture
def starter_pack(catalog):
    return Package.objects.get(stripe_price_id="price_pack_starter")  # no access, $5.00


def refund(session, refunds, stripe_post) -> None:
    """Send charge.refunded as Stripe does: every refund of the charge so far, embedded."""
    assert stripe_post(refund_event(session, refunds)).status_code == 200


def access(user) -> bool:
    return Wallet.objects.get(user_id=user.pk).human_model_access


def status(session) -> str:
    return Payment.objects.get(external_id=session["id"]).status


def test_a_full_refund_of_the_business_pack_revokes_access(owner, business_pack, stripe_post):
    session = buy(owner, business_pack, stripe_post)
    assert access(owner)

    refund(session, [("re_all", 6900)], stripe_post)
    assert status(session) == "refunded"
    assert not access(owner)
    # A redelivery changes nothing.
    refund(session, [("re_all", 6900)], stripe_post)
    assert not access(owner)
    assert ledger_drifts() == []


def test_a_partial_refund_keeps_access_until_the_payment_is_fully_refunded(owner, business_pack, stripe_post):
    session = buy(owner, business_pack, stripe_post)

    refund(session, [("re_part", 2760)], stripe_post)
    assert status(session) == "completed"
    assert access(owner)

    refund(session, [("re_part", 2760), ("re_rest", 4140)], stripe_post)
    assert status(session) == "refunded"
    assert not access(owner)
    assert ledger_drifts() == []


def test_another_paid_access_package_keeps_access(owner, business_pack, stripe_post):
    first = buy(owner, business_pack, stripe_post)
    second = buy(owner, business_pack, stripe_post)

    refund(first, [("re_first", 6900)], stripe_post)
    assert (status(first), status(second)) == ("refunded", "completed")
    assert access(owner)

    # Partly refunded, the second payment still grants access ...
    refund(second, [("re_second_part", 100)], stripe_post)
    assert access(owner)
    # ... until it too is refunded in full.
    refund(second, [("re_second_part", 100), ("re_second_rest", 6800)], stripe_post)
    assert (status(first), status(second)) == ("refunded", "refunded")
    assert not access(owner)
    assert ledger_drifts() == []


def test_refunding_a_package_without_access_leaves_access_alone(
    owner, business_pack, starter_pack, stripe_post
):
    buy(owner, business_pack, stripe_post)
    starter = buy(owner, starter_pack, stripe_post)

    refund(starter, [("re_starter", 500)], stripe_post)
    assert status(starter) == "refunded"
    assert access(owner)


def test_another_users_access_package_does_not_count(owner, friend, business_pack, stripe_post):
    mine = buy(owner, business_pack, stripe_post)
    buy(friend, business_pack, stripe_post)

    refund(mine, [("re_mine", 6900)], stripe_post)
    assert not access(owner)
    assert access(friend)
