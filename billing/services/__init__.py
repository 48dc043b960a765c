"""Billing services: the only code that changes balances (``ledger`` is the core every writer
uses; ``credits`` and ``coins`` are the operations on it)."""

from billing.services.coins import coins_daily_bonus, coins_grant, coins_transfer
from billing.services.credits import (
    credits_adjust,
    credits_charge,
    credits_grant,
    credits_refund,
    credits_revoke,
)
from billing.services.ledger import Change, apply_changes, related_ref, wallet_for
from billing.services.royalties import (
    royalty_accrue,
    royalty_balances,
    royalty_clawback,
    royalty_entries,
    royalty_payout,
)

__all__ = [
    "Change",
    "apply_changes",
    "coins_daily_bonus",
    "coins_grant",
    "coins_transfer",
    "credits_adjust",
    "credits_charge",
    "credits_grant",
    "credits_refund",
    "credits_revoke",
    "related_ref",
    "royalty_accrue",
    "royalty_balances",
    "royalty_clawback",
    "royalty_entries",
    "royalty_payout",
    "wallet_for",
]
