import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from billing.exceptions import BillingError, InsufficientCoins, InsufficientCredits, TransferError
from billing.models import LedgerEntry, Wallet
from billing.selectors import ledger_drifts
from billing.services import (
    coins_daily_bonus,
    coins_transfer,
    credits_adjust,
    credits_charge,
    credits_grant,
    credits_refund,
    wallet_for,
)

Type = LedgerEntry.Type


def balances(user):
    w = Wallet.objects.get(user_id=user.pk)
    return w.allowance, w.purchased, w.coins


def test_new_wallet_gets_the_free_allowance_through_the_ledger(owner, catalog):
    wallet = wallet_for(owner)
    assert (wallet.allowance, wallet.purchased, wallet.coins) == (10, 0, 250)
    assert LedgerEntry.objects.get(idempotency_key=f"signup:{owner.pk}").allowance_after == 10
    assert wallet_for(owner).pk == wallet.pk
    assert Wallet.objects.filter(user_id=owner.pk).count() == 1
    assert ledger_drifts() == []


def test_grant_is_applied_once_per_key(wallet, owner):
    first = credits_grant(
        user=owner,
        amount=50,
        bucket="purchased",
        entry_type=Type.PURCHASE,
        idempotency_key="k1",
        related=("billing.payment", "p1"),
    )
    again = credits_grant(
        user=owner, amount=50, bucket="purchased", entry_type=Type.PURCHASE, idempotency_key="k1"
    )
    assert first.pk == again.pk
    assert balances(owner) == (10, 50, 250)
    assert (first.related_type, first.related_id, first.balance_after) == ("billing.payment", "p1", 60)


def test_charge_draws_allowance_first_then_purchased(wallet, owner):
    credits_grant(user=owner, amount=20, bucket="purchased", entry_type=Type.PURCHASE, idempotency_key="buy")
    entry = credits_charge(
        user=owner, amount=15, idempotency_key="gen:1:charge", related=("generation.job", "1")
    )
    assert (entry.allowance_delta, entry.purchased_delta, entry.amount) == (-10, -5, -15)
    assert entry.bucket == "mixed"
    assert balances(owner) == (0, 15, 250)


def test_charge_beyond_balance_raises_and_writes_nothing(wallet, owner):
    before = LedgerEntry.objects.count()
    with pytest.raises(InsufficientCredits) as info:
        credits_charge(user=owner, amount=11, idempotency_key="too-much")
    assert "needs 11" in str(info.value) and "have 10" in str(info.value)
    assert LedgerEntry.objects.count() == before
    assert balances(owner) == (10, 0, 250)


def test_charge_creates_the_wallet_on_first_use(owner, catalog):
    credits_charge(user=owner, amount=3, idempotency_key="first")
    assert balances(owner) == (7, 0, 250)


def test_refund_returns_to_the_charged_buckets_exactly_once(wallet, owner):
    credits_grant(user=owner, amount=20, bucket="purchased", entry_type=Type.PURCHASE, idempotency_key="buy")
    credits_charge(user=owner, amount=15, idempotency_key="gen:1:charge")
    refund = credits_refund(charge_key="gen:1:charge", idempotency_key="gen:1:refund", reason="failed")
    assert (refund.allowance_delta, refund.purchased_delta) == (10, 5)
    assert refund.reverses_key == "gen:1:charge"
    again = credits_refund(charge_key="gen:1:charge", idempotency_key="gen:1:refund", reason="failed")
    other_key = credits_refund(charge_key="gen:1:charge", idempotency_key="another", reason="again")
    assert again.pk == refund.pk == other_key.pk
    assert balances(owner) == (10, 20, 250)
    assert LedgerEntry.objects.filter(entry_type=Type.REFUND).count() == 1


def test_refund_of_an_unknown_charge_is_none(wallet):
    assert credits_refund(charge_key="nope", idempotency_key="r", reason="x") is None


def test_coin_transfer_moves_coins_atomically(wallet, owner, friend):
    entry = coins_transfer(sender=owner, recipient=friend, amount=40, idempotency_key="gift1")
    again = coins_transfer(sender=owner, recipient=friend, amount=40, idempotency_key="gift1")
    assert entry.pk == again.pk
    assert balances(owner)[2] == 210
    assert balances(friend)[2] == 290
    assert LedgerEntry.objects.get(idempotency_key="gift1:in").entry_type == Type.COIN_GIFT_IN


def test_coin_transfer_refuses_self_missing_and_overdraft(wallet, owner, friend):
    with pytest.raises(TransferError):
        coins_transfer(sender=owner, recipient=owner, amount=1, idempotency_key="a")
    with pytest.raises(TransferError):
        coins_transfer(sender=owner, recipient=None, amount=1, idempotency_key="b")
    with pytest.raises(InsufficientCoins):
        coins_transfer(sender=owner, recipient=friend, amount=251, idempotency_key="c")
    assert balances(owner)[2] == 250
    assert not LedgerEntry.objects.filter(idempotency_key__startswith="c:").exists()


def test_daily_bonus_once_per_day(wallet, owner):
    _, created = coins_daily_bonus(user=owner)
    _, again = coins_daily_bonus(user=owner)
    assert (created, again) == (True, False)
    assert balances(owner)[2] == 260


def test_staff_adjustment_needs_reason_and_staff(wallet, owner, staff, stranger):
    with pytest.raises(BillingError):
        credits_adjust(
            user=owner, amount=5, bucket="purchased", reason="  ", staff_user=staff, idempotency_key="k1"
        )
    with pytest.raises(PermissionDenied):
        credits_adjust(
            user=owner,
            amount=5,
            bucket="purchased",
            reason="goodwill",
            staff_user=stranger,
            idempotency_key="k2",
        )
    with pytest.raises(InsufficientCredits):
        credits_adjust(
            user=owner, amount=-11, bucket="allowance", reason="oops", staff_user=staff, idempotency_key="k3"
        )
    entry = credits_adjust(
        user=owner, amount=5, bucket="purchased", reason="goodwill", staff_user=staff, idempotency_key="k4"
    )
    assert entry.created_by_id == staff.pk and entry.description == "goodwill"
    assert balances(owner) == (10, 5, 250)


def test_reconcile_ledger_reports_drift_and_exits_nonzero(wallet, owner, capsys):
    call_command("reconcile_ledger")
    Wallet.objects.filter(pk=wallet.pk).update(purchased=7)  # a write that bypassed the services
    with pytest.raises(CommandError) as info:
        call_command("reconcile_ledger", "--user", owner.username)
    assert info.value.returncode == 1
    assert "purchased wallet=7 ledger=0" in capsys.readouterr().err


def test_seed_catalog_is_idempotent(db):
    from billing.models import Package, Plan
    from billing.seed import seed_catalog

    seed_catalog()
    seed_catalog()
    assert {(p.code, p.credits_per_period) for p in Plan.objects.all()} == {
        ("free", 10),
        ("plus", 100),
        ("pro", 1000),
    }
    assert Plan.objects.get(code="plus").stripe_price_monthly == "price_plus_monthly"
    assert Package.objects.filter(coins_granted=0).count() == 3  # credit packs
    assert Package.objects.filter(coins_granted__gt=0).count() == 1  # the coin pack
    assert Package.objects.filter(human_model_access=True).count() == 1


def test_a_stripe_key_without_a_webhook_secret_refuses_to_start():
    """Production never falls back to the local development webhook secret."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "STRIPE_SECRET_KEY": "sk_live_x", "DEBUG": "true", "MODELSNAPPER_SKIP_DOTENV": "1"}
    env.pop("STRIPE_WEBHOOK_SECRET", None)
    env.pop("BILLING_TEST_CHECKOUT", None)  # the test run turns it on; it cannot be on with a Stripe key
    result = subprocess.run(
        [sys.executable, "-c", "import modelsnapper.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET is required" in result.stderr
