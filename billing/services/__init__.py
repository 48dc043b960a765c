"""Billing services: the only code that changes balances (see ``ledger``)."""

from billing.services.ledger import (
    Change,
    apply_changes,
    coins_daily_bonus,
    coins_grant,
    coins_transfer,
    credits_adjust,
    credits_charge,
    credits_grant,
    credits_refund,
    credits_revoke,
    related_ref,
    wallet_for,
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
    "wallet_for",
]
