"""Money under contention: many threads, one wallet, exact results."""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command

from billing.exceptions import InsufficientCredits
from billing.models import LedgerEntry, Wallet
from billing.selectors import ledger_drifts
from billing.services import credits_charge, credits_grant, wallet_for

Type = LedgerEntry.Type


@pytest.fixture(params=[True, False], ids=["in-process-locks", "database-conflicts-only"])
def wallet_locks(request, settings):
    """Run with the per-process wallet locks, and without them: then the threads
    behave like separate processes and only MongoDB's write conflicts keep order."""
    settings.BILLING_WALLET_LOCKS = request.param
    return request.param


def test_500_concurrent_one_credit_charges_against_100_exactly_100_succeed(owner, catalog, wallet_locks):
    wallet_for(owner)
    credits_grant(user=owner, amount=90, bucket="purchased", entry_type=Type.PURCHASE, idempotency_key="buy")

    def charge(i):
        try:
            credits_charge(user=owner, amount=1, idempotency_key=f"c:{i}")
            return True
        except InsufficientCredits:
            return False

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(charge, range(500)))

    assert sum(results) == 100
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert (wallet.allowance, wallet.purchased) == (0, 0)
    usage = LedgerEntry.objects.filter(user_id=owner.pk, entry_type=Type.USAGE)
    assert usage.count() == 100
    # Never negative at any point: every entry's balance afterwards is >= 0
    # and the balances afterwards are exactly 99..0, each once.
    afters = sorted(usage.values_list("balance_after", flat=True))
    assert afters == list(range(100))
    assert ledger_drifts() == []
    call_command("reconcile_ledger", verbosity=0)
    # How long this takes is measured by benchmarks/billing_ledger.py (contended_500_charges_s).


def test_concurrent_grants_and_charges_end_at_the_exact_balance(owner, catalog, wallet_locks):
    wallet_for(owner)  # 10 allowance
    credits_grant(
        user=owner, amount=200, bucket="purchased", entry_type=Type.PURCHASE, idempotency_key="seed"
    )
    ops = [("grant", i) for i in range(60)] + [("charge", i) for i in range(90)]
    random.Random(7).shuffle(ops)

    def run(op):
        kind, i = op
        if kind == "grant":
            credits_grant(
                user=owner, amount=3, bucket="purchased", entry_type=Type.BONUS, idempotency_key=f"g:{i}"
            )
        else:
            credits_charge(user=owner, amount=2, idempotency_key=f"c:{i}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(run, ops))
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert wallet.allowance + wallet.purchased == 10 + 200 + 60 * 3 - 90 * 2
    assert ledger_drifts() == []


def test_the_same_charge_key_from_many_threads_charges_once(owner, catalog, wallet_locks):
    wallet_for(owner)
    with ThreadPoolExecutor(max_workers=10) as pool:
        entries = list(
            pool.map(
                lambda _: credits_charge(user=owner, amount=4, idempotency_key="gen:x:charge"), range(20)
            )
        )
    assert len({e.pk for e in entries}) == 1
    assert Wallet.objects.get(user_id=owner.pk).allowance == 6


def test_wallet_creation_races_make_one_wallet(owner, catalog):
    with ThreadPoolExecutor(max_workers=10) as pool:
        wallets = list(pool.map(lambda _: wallet_for(owner), range(10)))
    assert len({w.pk for w in wallets}) == 1
    assert LedgerEntry.objects.filter(user_id=owner.pk).count() == 2  # allowance + welcome coins
