"""Royalty rules found in review: a clawback only takes a pending royalty, payouts never overdraw."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.exceptions import BillingError
from billing.models import LedgerEntry, Wallet
from billing.selectors import ledger_drifts, royalty_drifts
from billing.services import royalty_accrue, royalty_balances, royalty_clawback, royalty_payout
from modelsnapper.testing import seams
from modelsnapper.testing.threads import closes_connections

Type = LedgerEntry.Type


@pytest.fixture
def window(settings):
    settings.MARKETPLACE_ROYALTY_WINDOW_DAYS = 14
    return timedelta(days=14)


def backdate(job_id: str, age: timedelta) -> None:
    LedgerEntry.objects.filter(idempotency_key=f"royalty:{job_id}:accrue").update(
        created_at=timezone.now() - age
    )


def wallet_of(user) -> Wallet:
    return Wallet.objects.get(user_id=user.pk)


def assert_reconciled() -> None:
    assert ledger_drifts() == []
    assert royalty_drifts() == []


# --- 2. a clawback only takes a pending royalty ---------------------------------------------


def test_a_royalty_past_the_window_is_not_clawed_back(owner, catalog, window, caplog):
    royalty_accrue(job_id="old", model_user=owner, amount_cents=100)
    backdate("old", window + timedelta(days=1))

    with caplog.at_level(logging.INFO, logger="billing.services.royalties"):
        assert royalty_clawback(job_id="old") is None
    assert "old" in caplog.text
    assert not LedgerEntry.objects.filter(idempotency_key="royalty:old:clawback").exists()
    wallet = wallet_of(owner)
    assert (wallet.royalty_cents, wallet.royalty_paid_cents) == (100, 0)
    balances = royalty_balances(model_user=owner)
    assert (balances.pending_cents, balances.payable_cents) == (0, 100)
    assert_reconciled()


def test_a_paid_out_royalty_is_never_clawed_back_into_the_negative(owner, staff, catalog, window):
    royalty_accrue(job_id="old", model_user=owner, amount_cents=100)
    backdate("old", window + timedelta(days=1))
    royalty_payout(model_user=owner, amount_cents=100, reference="wire-1", staff_user=staff)

    assert royalty_clawback(job_id="old", reason="Staff refund") is None
    assert royalty_clawback(job_id="old", reason="Staff refund") is None
    wallet = wallet_of(owner)
    assert (wallet.royalty_cents, wallet.royalty_paid_cents) == (0, 100)
    assert not LedgerEntry.objects.filter(user_id=owner.pk, entry_type=Type.ROYALTY_CLAWBACK).exists()
    assert_reconciled()


def test_a_pending_royalty_is_clawed_back_once(owner, catalog, window):
    royalty_accrue(job_id="new", model_user=owner, amount_cents=100)
    backdate("new", window - timedelta(hours=1))

    first = royalty_clawback(job_id="new")
    again = royalty_clawback(job_id="new")
    assert first is not None and first.pk == again.pk
    assert (first.amount, first.reverses_key) == (-100, "royalty:new:accrue")
    assert LedgerEntry.objects.filter(entry_type=Type.ROYALTY_CLAWBACK).count() == 1
    assert wallet_of(owner).royalty_cents == 0
    assert_reconciled()


def test_an_existing_clawback_is_returned_even_after_the_window(owner, catalog, window):
    royalty_accrue(job_id="job", model_user=owner, amount_cents=100)
    first = royalty_clawback(job_id="job")
    backdate("job", window + timedelta(days=1))
    assert royalty_clawback(job_id="job").pk == first.pk
    assert wallet_of(owner).royalty_cents == 0
    assert_reconciled()


# --- 3. payouts: checked in the write's transaction, one per reference ------------------------


@pytest.fixture
def payable_100(owner, catalog, window):
    royalty_accrue(job_id="old", model_user=owner, amount_cents=100)
    backdate("old", window + timedelta(days=1))
    assert royalty_balances(model_user=owner).payable_cents == 100
    return owner


@pytest.mark.parametrize("lockstep", [True, False], ids=["lockstep", "free-running"])
def test_two_concurrent_payouts_cannot_overdraw(payable_100, staff, lockstep):
    owner = payable_100
    # Lockstep: both payouts read the payable balance before either writes.
    barrier = threading.Barrier(2, timeout=10)
    waited = threading.local()

    def wait_once(**context):
        if lockstep and not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()

    def pay(reference: str):
        try:
            return royalty_payout(model_user=owner, amount_cents=80, reference=reference, staff_user=staff)
        except BillingError as exc:
            return exc

    pool = ThreadPoolExecutor(2)
    try:
        with seams.at("payout.balance_read", wait_once):
            futures = [pool.submit(closes_connections(pay), ref) for ref in ("wire-a", "wire-b")]
            outcomes = [future.result(timeout=60) for future in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)

    paid = [o for o in outcomes if isinstance(o, LedgerEntry)]
    refused = [o for o in outcomes if isinstance(o, BillingError)]
    assert (len(paid), len(refused)) == (1, 1)
    assert "payable" in str(refused[0])
    wallet = wallet_of(owner)
    assert (wallet.royalty_cents, wallet.royalty_paid_cents) == (20, 80)
    assert LedgerEntry.objects.filter(entry_type=Type.ROYALTY_PAYOUT).count() == 1
    balances = royalty_balances(model_user=owner)
    assert (balances.pending_cents, balances.payable_cents, balances.paid_cents) == (0, 20, 80)
    assert_reconciled()


def test_the_same_reference_and_amount_pays_out_once(payable_100, staff):
    owner = payable_100
    first = royalty_payout(model_user=owner, amount_cents=60, reference="wire-1", staff_user=staff)
    # Even though 60 more are no longer payable, the repeat is the same payout.
    again = royalty_payout(model_user=owner, amount_cents=60, reference=" wire-1 ", staff_user=staff)
    assert first.pk == again.pk
    assert LedgerEntry.objects.filter(entry_type=Type.ROYALTY_PAYOUT).count() == 1
    wallet = wallet_of(owner)
    assert (wallet.royalty_cents, wallet.royalty_paid_cents) == (40, 60)
    assert_reconciled()


def test_the_same_reference_for_a_different_amount_is_refused(payable_100, staff):
    owner = payable_100
    royalty_payout(model_user=owner, amount_cents=60, reference="wire-1", staff_user=staff)
    with pytest.raises(BillingError, match="This reference was already used for a different amount."):
        royalty_payout(model_user=owner, amount_cents=30, reference="wire-1", staff_user=staff)
    wallet = wallet_of(owner)
    assert (wallet.royalty_cents, wallet.royalty_paid_cents) == (40, 60)
    assert LedgerEntry.objects.filter(entry_type=Type.ROYALTY_PAYOUT).count() == 1
    assert_reconciled()


def test_a_payout_never_takes_a_pending_royalty(payable_100, staff):
    owner = payable_100
    royalty_accrue(job_id="new", model_user=owner, amount_cents=100)
    with pytest.raises(BillingError, match=r"Only \$1\.00 is payable"):
        royalty_payout(model_user=owner, amount_cents=150, reference="wire-1", staff_user=staff)
    assert royalty_payout(model_user=owner, amount_cents=100, reference="wire-1", staff_user=staff)
    wallet = wallet_of(owner)
    assert (wallet.royalty_cents, wallet.royalty_paid_cents) == (100, 100)
    assert_reconciled()
