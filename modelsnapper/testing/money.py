"""Reading a user's credits and a job's ledger entries in tests."""

from __future__ import annotations


def balance(user) -> int:
    """The user's spendable credits: plan allowance plus purchased."""
    from billing.models import Wallet  # the project package does not import the apps at load time

    wallet = Wallet.objects.get(user_id=user.pk)
    return wallet.allowance + wallet.purchased


def ledger_keys(job) -> list[str]:
    """The idempotency keys of every ledger entry written for a generation job, sorted."""
    from billing.models import LedgerEntry

    return sorted(
        LedgerEntry.objects.filter(idempotency_key__startswith=f"gen:{job.pk}:").values_list(
            "idempotency_key", flat=True
        )
    )
