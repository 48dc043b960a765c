"""Credit operations on the ledger: grant, charge, refund, staff adjustment, revocation.

Each writes through the ledger core (:mod:`billing.services.ledger`): one guarded wallet
update plus one entry per change, under a unique idempotency key, so a retry or a
concurrent duplicate returns the entry already made instead of applying it twice.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils.translation import gettext

from billing.exceptions import BillingError, InsufficientCoins, InsufficientCredits
from billing.models import LedgerEntry, RefundMarker, Wallet
from billing.services.ledger import (
    CREDIT_BUCKETS,
    Change,
    _NoWallet,
    _retrying,
    _run_for_user,
    _wallet_in_txn,
    _write_one,
    apply_changes,
    read_balances,
    transact,
    write_changes,
)
from modelsnapper.sentences import Sentence

Type = LedgerEntry.Type
Bucket = LedgerEntry.Bucket


def credits_grant(
    *,
    user: Any,
    amount: int,
    bucket: str,
    entry_type: str,
    idempotency_key: str,
    description: str = "",
    related: Any = None,
) -> LedgerEntry:
    """Add ``amount`` credits to one bucket, exactly once per key."""
    if amount <= 0:
        raise ValueError("a grant must be positive")
    if bucket not in CREDIT_BUCKETS:
        raise ValueError(f"credits go to allowance or purchased, not {bucket!r}")
    change = Change(entry_type, idempotency_key, description=description, related=related, **{bucket: amount})
    return _write_one(user, change)


def credits_charge(
    *,
    user: Any,
    amount: int,
    idempotency_key: str,
    description: str = "",
    related: Any = None,
    usage_kind: str = "",
    ai_model: str = "",
) -> LedgerEntry:
    """Spend credits, allowance first, then purchased.

    ``usage_kind`` (``LedgerEntry.UsageKind``) and ``ai_model`` (the model's name) say what
    the credits paid for; a refund of the charge carries them too.
    Raises InsufficientCredits (and writes nothing) when the wallet is short.
    """
    if amount <= 0:
        raise ValueError("a charge must be positive")

    def txn() -> LedgerEntry:
        before = read_balances(user.pk)
        if before is None:
            raise _NoWallet
        available = before["allowance"] + before["purchased"]
        if available < amount:
            raise InsufficientCredits(needed=amount, available=available)
        from_allowance = min(before["allowance"], amount)
        change = Change(
            Type.USAGE,
            idempotency_key,
            allowance=-from_allowance,
            purchased=-(amount - from_allowance),
            description=description,
            related=related,
            usage_kind=usage_kind,
            ai_model=ai_model,
        )
        entries = write_changes(user.pk, [change], before=before)
        if entries is None:  # only if snapshot isolation failed us: never silently overdraw
            raise BillingError("the wallet changed during the charge")
        return entries[0]

    return _retrying(user, idempotency_key, txn)


def credits_refund(*, charge_key: str, idempotency_key: str, reason: str | Sentence) -> LedgerEntry | None:
    """Give a charge back, exactly once per charge, to the buckets it drew from.

    Returns None when no such charge exists. A second refund of the same
    charge (under any key) returns the refund already made.
    """
    charge = LedgerEntry.objects.filter(idempotency_key=charge_key).one()
    if charge is None or charge.entry_type != Type.USAGE:
        return None
    # Look first: inside a caller's transaction a duplicate-key error would abort the caller's
    # whole transaction, so the IntegrityError path below is only for true races.
    done = _refund_made(charge_key, idempotency_key)
    if done is not None:
        return done

    def txn() -> LedgerEntry:
        # The marker's unique index is what makes "once per charge" hold.
        RefundMarker.objects.create(charge_key=charge_key, refund_key=idempotency_key)
        wallet = _wallet_in_txn(charge.user_id)
        change = Change(
            Type.REFUND,
            idempotency_key,
            allowance=-charge.allowance_delta,
            purchased=-charge.purchased_delta,
            description=reason,
            related=(charge.related_type, charge.related_id) if charge.related_type else None,
            reverses_key=charge_key,
            usage_kind=charge.usage_kind,
            ai_model=charge.ai_model,
        )
        return apply_changes(wallet, [change])[0]

    try:
        return transact(txn)
    except IntegrityError:
        made = _refund_made(charge_key, idempotency_key)
        return made or LedgerEntry.objects.filter(idempotency_key=idempotency_key).one()


def _refund_made(charge_key: str, idempotency_key: str) -> LedgerEntry | None:
    """The refund already made of ``charge_key`` (under whichever key it was made), or None."""
    marker = RefundMarker.objects.filter(charge_key=charge_key).one()
    if marker is None:
        return None
    return LedgerEntry.objects.filter(idempotency_key=marker.refund_key).one()


def credits_adjust(
    *, user: Any, amount: int, bucket: str, reason: str, staff_user: Any, idempotency_key: str
) -> LedgerEntry:
    """A staff correction, with the reason on the ledger. Never below zero.

    ``idempotency_key`` names the submission (the adjust form's token): the
    same submission sent twice returns the entry it already made.
    """
    if not getattr(staff_user, "is_staff", False):
        raise PermissionDenied("only staff may adjust balances")
    reason = (reason or "").strip()
    if not reason:
        raise BillingError(gettext("A reason is required for an adjustment."))
    if amount == 0:
        raise BillingError(gettext("An adjustment must change the balance."))
    if bucket not in (Bucket.ALLOWANCE, Bucket.PURCHASED, Bucket.COINS):
        raise BillingError(gettext("Unknown balance: %(bucket)s.") % {"bucket": bucket})
    key = f"adjust:{idempotency_key}"

    def body(wallet: Wallet) -> LedgerEntry:
        # Before the balance check: a repeated removal must be a no-op, not "not enough".
        done = LedgerEntry.objects.filter(idempotency_key=key).one()
        if done is not None:
            return done
        current = getattr(wallet, bucket)
        if current + amount < 0:
            error = InsufficientCoins if bucket == Bucket.COINS else InsufficientCredits
            raise error(needed=-amount, available=current)
        change = Change(
            Type.ADJUSTMENT,
            key,
            description=reason,
            created_by_id=staff_user.pk,
            related=("accounts.user", staff_user.pk),
            **{bucket: amount},
        )
        return apply_changes(wallet, [change])[0]

    return _run_for_user(user, key, body)


def credits_revoke(
    *, user: Any, amount: int, idempotency_key: str, description: str = "", related: Any = None
) -> LedgerEntry:
    """Take back up to ``amount`` unspent purchased credits; records the shortfall."""

    def body(wallet: Wallet) -> LedgerEntry:
        taken = min(amount, wallet.purchased)
        change = Change(
            Type.REVOCATION,
            idempotency_key,
            purchased=-taken,
            description=description,
            related=related,
            shortfall=amount - taken,
        )
        return apply_changes(wallet, [change])[0]

    return _run_for_user(user, idempotency_key, body)
