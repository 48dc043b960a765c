"""A refunded coin pack gives its coins back through the ledger (review item: a refunded coin-pack
purchase kept its coins).

The owner buys the coin pack (500 coins for $4.99) on top of the 250 welcome coins, through a
signed ``checkout.session.completed``; Stripe's ``charge.refunded`` arrives signed at the real
webhook. Only coins the owner still has can be taken back; what was already given away is
recorded on the revocation as its shortfall, in coins.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command

from billing.exceptions import InsufficientCoins
from billing.models import LedgerEntry, Package, Payment, Wallet
from billing.selectors import ledger_drifts
from billing.services import coins_transfer
from billing.services.payments import charge_refunded
from modelsnapper.testing.stripe_events import (
    CURRENT,
    buy_package,
    refund_event,
    refunded_charge,
    stripe_event,
)
from modelsnapper.testing.threads import closes_connections

Type = LedgerEntry.Type

SIGNUP_COINS = 250  # BILLING_SIGNUP_COINS: what the owner's wallet starts with
PACK_COINS = 500
PACK_CENTS = 499


@pytest.fixture
def coin_pack(catalog):
    return Package.objects.get(stripe_price_id="price_coins_500")


@pytest.fixture
def bought(owner, coin_pack, stripe_post):
    """The owner's paid Checkout Session for the coin pack, already fulfilled."""
    session = buy_package(owner, coin_pack, stripe_post)
    assert coins_of(owner) == SIGNUP_COINS + PACK_COINS
    return session


def coins_of(user) -> int:
    return Wallet.objects.get(user_id=user.pk).coins


def coin_revocations() -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(entry_type=Type.REVOCATION, currency="coins").order_by("created_at", "pk")
    )


def assert_reconciled() -> None:
    call_command("reconcile_ledger", verbosity=0)  # raises CommandError on any drift
    assert ledger_drifts() == []


def test_a_full_refund_of_a_coin_pack_takes_its_coins_back_to_what_the_wallet_had_before(
    owner, bought, stripe_post
):
    assert stripe_post(refund_event(bought, [("re_full", PACK_CENTS)])).status_code == 200

    assert coins_of(owner) == SIGNUP_COINS
    [entry] = coin_revocations()
    assert (entry.idempotency_key, entry.bucket, entry.amount, entry.shortfall) == (
        "stripe:refund:re_full",
        "coins",
        -PACK_COINS,
        0,
    )
    assert (entry.coins_after, entry.balance_after) == (SIGNUP_COINS, SIGNUP_COINS)
    assert (entry.related_type, entry.related_id) == ("billing.payment", str(Payment.objects.get().pk))
    payment = Payment.objects.get(external_id=bought["id"])
    assert (payment.status, payment.refunded_cents) == ("refunded", PACK_CENTS)
    assert Wallet.objects.get(user_id=owner.pk).purchased == 0  # no credits were bought or taken
    assert_reconciled()


def test_a_full_refund_in_the_current_api_shape_without_embedded_refunds_takes_the_coins_back(
    owner, bought, stripe_post
):
    charge = refunded_charge(
        payment_intent=bought["payment_intent"],
        amount=PACK_CENTS,
        refunds=[("re_ignored", PACK_CENTS)],
        charge_id="ch_coins",
        api_version=CURRENT,
    )
    assert "refunds" not in charge
    assert stripe_post(stripe_event("charge.refunded", charge, api_version=CURRENT)).status_code == 200

    assert coins_of(owner) == SIGNUP_COINS
    assert [e.amount for e in coin_revocations()] == [-PACK_COINS]
    assert_reconciled()


def test_a_partial_refund_takes_its_floored_share_and_the_rest_takes_exactly_the_remainder(
    owner, bought, stripe_post
):
    # $2.00 of $4.99: 500 * 200 / 499 = 200.4 coins, floored.
    assert stripe_post(refund_event(bought, [("re_1", 200)])).status_code == 200
    assert coins_of(owner) == SIGNUP_COINS + PACK_COINS - 200
    assert Payment.objects.get(external_id=bought["id"]).status == "completed"

    # The remaining $2.99 (299.6 coins alone) completes the refund: every coin of the pack is back out.
    assert stripe_post(refund_event(bought, [("re_1", 200), ("re_2", 299)])).status_code == 200
    assert coins_of(owner) == SIGNUP_COINS
    assert [(e.idempotency_key, e.amount) for e in coin_revocations()] == [
        ("stripe:refund:re_1", -200),
        ("stripe:refund:re_2", -300),
    ]
    assert Payment.objects.get(external_id=bought["id"]).status == "refunded"
    assert_reconciled()


def test_a_redelivered_or_repeated_refund_event_takes_the_coins_only_once(owner, bought, stripe_post):
    event = refund_event(bought, [("re_1", PACK_CENTS)])
    assert [stripe_post(event).status_code for _ in range(2)] == [200, 200]
    # Stripe also sends a new event (new id) about the same refund.
    assert stripe_post(refund_event(bought, [("re_1", PACK_CENTS)])).status_code == 200

    assert coins_of(owner) == SIGNUP_COINS
    assert len(coin_revocations()) == 1
    assert LedgerEntry.objects.filter(entry_type=Type.REVOCATION).count() == 1
    assert_reconciled()


def test_coins_already_given_away_are_recorded_as_a_shortfall_and_only_what_is_left_is_taken(
    owner, friend, bought, stripe_post
):
    coins_transfer(sender=owner, recipient=friend, amount=600, idempotency_key="gift:1")
    assert coins_of(owner) == 150

    assert stripe_post(refund_event(bought, [("re_1", PACK_CENTS)])).status_code == 200

    assert coins_of(owner) == 0
    assert coins_of(friend) == SIGNUP_COINS + 600  # a gift is not taken back from its receiver
    [entry] = coin_revocations()
    assert (entry.amount, entry.shortfall) == (-150, 350)
    assert_reconciled()


def test_a_refund_after_every_coin_was_given_away_records_the_whole_share_as_a_coin_shortfall(
    owner, friend, bought, stripe_post
):
    coins_transfer(
        sender=owner, recipient=friend, amount=SIGNUP_COINS + PACK_COINS, idempotency_key="gift:all"
    )

    # Half refunded: 250 coins owed, none left to take.
    assert stripe_post(refund_event(bought, [("re_half", 250)])).status_code == 200

    assert coins_of(owner) == 0
    [entry] = coin_revocations()  # a coin line although no coin moved, not a credit line
    assert (entry.bucket, entry.amount, entry.shortfall, entry.balance_after) == ("coins", 0, 250, 0)
    assert_reconciled()


def test_concurrent_deliveries_of_a_refund_racing_a_gift_take_the_coins_once_and_never_below_zero(
    owner, friend, bought, settings
):
    settings.BILLING_WALLET_LOCKS = False  # only the database decides the race
    charge = refund_event(bought, [("re_race", PACK_CENTS)])["data"]["object"]

    @closes_connections
    def act(n: int) -> str:
        if n == 0:
            try:
                coins_transfer(sender=owner, recipient=friend, amount=600, idempotency_key="gift:race")
            except InsufficientCoins:
                return "gift refused"
            return "gift sent"
        return charge_refunded(charge)

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(act, range(5)))

    [entry] = coin_revocations()
    taken = -entry.amount
    assert taken + entry.shortfall == PACK_COINS  # all owed, once, whatever came first
    gifted = 600 if outcomes[0] == "gift sent" else 0
    assert coins_of(owner) == SIGNUP_COINS + PACK_COINS - gifted - taken >= 0
    assert sorted(outcomes[1:]).count("revoked") == 1
    assert_reconciled()
