"""Wallet balances and the append-only ledger: the only code that changes them.

Every public function runs its writes inside :func:`run_in_transaction`. The
wallet update and the ledger insert commit together or not at all, and every
insert carries a unique idempotency key: if a retry (or a concurrent
duplicate) finds the key already taken, the service returns the entry that is
already there instead of applying the change a second time.

Concurrency: a service reads the wallet inside the transaction, decides, then
writes it with ``F()`` deltas. MongoDB's snapshot isolation aborts the second
of two transactions that write the same wallet (WriteConflict), and
``run_in_transaction`` re-runs it against the new balance, so a balance can
never go below zero and never drifts from its entries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from billing.exceptions import BillingError, InsufficientCoins, InsufficientCredits, TransferError
from billing.models import LedgerEntry, Plan, RefundMarker, Wallet, add_period
from modelsnapper.db import run_in_transaction

Type = LedgerEntry.Type
Bucket = LedgerEntry.Bucket
Currency = LedgerEntry.Currency

CREDIT_BUCKETS = (Bucket.ALLOWANCE, Bucket.PURCHASED)


def related_ref(related: Any) -> tuple[str, str]:
    """A generic pointer to another app's object: ``(type, id)`` strings."""
    if related is None:
        return "", ""
    if isinstance(related, tuple):
        kind, ident = related
        return str(kind), str(ident)
    meta = getattr(related, "_meta", None)
    if meta is not None:
        return f"{meta.app_label}.{meta.model_name}", str(related.pk)
    return type(related).__name__, str(related)


@dataclass
class Change:
    """One ledger entry to write against a wallet."""

    entry_type: str
    key: str
    allowance: int = 0
    purchased: int = 0
    coins: int = 0
    description: str = ""
    related: Any = None
    reverses_key: str = ""
    shortfall: int = 0
    created_by_id: Any = None

    @property
    def currency(self) -> str:
        return Currency.COINS if self.coins else Currency.CREDITS

    @property
    def bucket(self) -> str:
        if self.coins:
            return Bucket.COINS
        if self.allowance and self.purchased:
            return Bucket.MIXED
        return Bucket.ALLOWANCE if self.allowance else Bucket.PURCHASED


class _NoWallet(Exception):
    pass


def _wallet_in_txn(user_id: Any) -> Wallet:
    wallet = Wallet.objects.filter(user_id=user_id).first()
    if wallet is None:
        raise _NoWallet
    return wallet


def apply_changes(wallet: Wallet, changes: list[Change], **updates: Any) -> list[LedgerEntry]:
    """Write ``changes`` to ``wallet`` (read in this transaction) plus field ``updates``.

    One wallet update with the summed deltas and one insert of all entries.
    Raises ValueError if a bucket would go negative: callers check first and
    raise their own friendly error; this is the last line of defence.
    """
    now = timezone.now()
    allowance, purchased, coins = wallet.allowance, wallet.purchased, wallet.coins
    entries = []
    for change in changes:
        allowance += change.allowance
        purchased += change.purchased
        coins += change.coins
        if min(allowance, purchased, coins) < 0:
            raise ValueError(f"ledger change {change.key} would make a balance negative")
        related_type, related_id = related_ref(change.related)
        amount = change.coins or (change.allowance + change.purchased)
        entries.append(
            LedgerEntry(
                user_id=wallet.user_id,
                entry_type=change.entry_type,
                currency=change.currency,
                bucket=change.bucket,
                amount=amount,
                allowance_delta=change.allowance,
                purchased_delta=change.purchased,
                coins_delta=change.coins,
                allowance_after=allowance,
                purchased_after=purchased,
                coins_after=coins,
                balance_after=coins if change.coins else allowance + purchased,
                related_type=related_type,
                related_id=related_id,
                description=change.description[:300],
                idempotency_key=change.key,
                reverses_key=change.reverses_key,
                shortfall=change.shortfall,
                created_by_id=change.created_by_id,
                created_at=now,
            )
        )
    d_allowance = allowance - wallet.allowance
    d_purchased = purchased - wallet.purchased
    d_coins = coins - wallet.coins
    fields: dict[str, Any] = dict(updates)
    if d_allowance:
        fields["allowance"] = F("allowance") + d_allowance
    if d_purchased:
        fields["purchased"] = F("purchased") + d_purchased
    if d_coins:
        fields["coins"] = F("coins") + d_coins
    if fields:
        fields["updated_at"] = now
        changed = Wallet.objects.filter(pk=wallet.pk).update(**fields)
        if changed != 1:
            raise BillingError("wallet vanished during the transaction")
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    elif entries:
        LedgerEntry.objects.bulk_create(entries)
    wallet.allowance, wallet.purchased, wallet.coins = allowance, purchased, coins
    for name, value in updates.items():
        setattr(wallet, name, value)
    return entries


def _run_for_user(user: Any, key: str, body) -> Any:
    """Run ``body(wallet)`` in a transaction; an existing key means "already applied"."""

    def txn():
        return body(_wallet_in_txn(user.pk))

    for _ in range(2):
        try:
            return run_in_transaction(txn)
        except _NoWallet:
            wallet_for(user)
        except IntegrityError:
            entry = LedgerEntry.objects.filter(idempotency_key=key).first()
            if entry is None:
                raise
            return entry
    raise BillingError("could not create the wallet")  # pragma: no cover


# --- wallets --------------------------------------------------------------------


def free_plan() -> Plan | None:
    return Plan.objects.filter(code=Plan.Code.FREE).first()


def wallet_for(user: Any) -> Wallet:
    """The user's wallet, created on first use with the free plan's allowance.

    Race-safe: the unique index on ``user`` lets one creator win; the loser
    reads the winner's wallet.
    """
    wallet = Wallet.objects.filter(user_id=user.pk).first()
    if wallet is not None:
        return wallet
    plan = free_plan()
    credits = plan.credits_per_period if plan else settings.BILLING_FREE_CREDITS
    reset_period = plan.reset_period if plan else "monthly"

    def create() -> Wallet:
        existing = Wallet.objects.filter(user_id=user.pk).first()
        if existing is not None:
            return existing
        now = timezone.now()
        wallet = Wallet.objects.create(
            user_id=user.pk, plan_code=Plan.Code.FREE, period_start=now, period_end=add_period(now, reset_period)
        )
        changes = [
            Change(Type.SUBSCRIPTION_GRANT, f"signup:{user.pk}", allowance=credits, description="Free plan allowance"),
        ]
        if settings.BILLING_SIGNUP_COINS:
            changes.append(
                Change(Type.COIN_BONUS, f"signup-coins:{user.pk}", coins=settings.BILLING_SIGNUP_COINS,
                       description="Welcome coins")
            )
        apply_changes(wallet, changes)
        return wallet

    try:
        return run_in_transaction(create)
    except IntegrityError:
        return Wallet.objects.get(user_id=user.pk)


# --- credits --------------------------------------------------------------------


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
    change = Change(entry_type, idempotency_key, description=description, related=related,
                    **{bucket: amount})
    return _run_for_user(user, idempotency_key, lambda wallet: apply_changes(wallet, [change])[0])


def credits_charge(
    *,
    user: Any,
    amount: int,
    idempotency_key: str,
    description: str = "",
    related: Any = None,
) -> LedgerEntry:
    """Spend credits, allowance first, then purchased.

    Raises InsufficientCredits (and writes nothing) when the wallet is short.
    """
    if amount <= 0:
        raise ValueError("a charge must be positive")

    def body(wallet: Wallet) -> LedgerEntry:
        available = wallet.allowance + wallet.purchased
        if available < amount:
            raise InsufficientCredits(needed=amount, available=available)
        from_allowance = min(wallet.allowance, amount)
        change = Change(
            Type.USAGE, idempotency_key, allowance=-from_allowance, purchased=-(amount - from_allowance),
            description=description, related=related,
        )
        return apply_changes(wallet, [change])[0]

    return _run_for_user(user, idempotency_key, body)


def credits_refund(*, charge_key: str, idempotency_key: str, reason: str) -> LedgerEntry | None:
    """Give a charge back, exactly once per charge, to the buckets it drew from.

    Returns None when no such charge exists. A second refund of the same
    charge (under any key) returns the refund already made.
    """
    charge = LedgerEntry.objects.filter(idempotency_key=charge_key).first()
    if charge is None or charge.entry_type != Type.USAGE:
        return None

    def txn() -> LedgerEntry:
        # The marker's unique index is what makes "once per charge" hold.
        RefundMarker.objects.create(charge_key=charge_key, refund_key=idempotency_key)
        wallet = _wallet_in_txn(charge.user_id)
        change = Change(
            Type.REFUND, idempotency_key,
            allowance=-charge.allowance_delta, purchased=-charge.purchased_delta,
            description=reason, related=(charge.related_type, charge.related_id) if charge.related_type else None,
            reverses_key=charge_key,
        )
        return apply_changes(wallet, [change])[0]

    try:
        return run_in_transaction(txn)
    except IntegrityError:
        marker = RefundMarker.objects.filter(charge_key=charge_key).first()
        key = marker.refund_key if marker else idempotency_key
        return LedgerEntry.objects.filter(idempotency_key=key).first()


def credits_adjust(*, user: Any, amount: int, bucket: str, reason: str, staff_user: Any) -> LedgerEntry:
    """A staff correction, with the reason on the ledger. Never below zero."""
    if not getattr(staff_user, "is_staff", False):
        raise PermissionDenied("only staff may adjust balances")
    reason = (reason or "").strip()
    if not reason:
        raise BillingError("A reason is required for an adjustment.")
    if amount == 0:
        raise BillingError("An adjustment must change the balance.")
    if bucket not in (Bucket.ALLOWANCE, Bucket.PURCHASED, Bucket.COINS):
        raise BillingError(f"Unknown bucket {bucket!r}.")
    key = f"adjust:{uuid.uuid4().hex}"

    def body(wallet: Wallet) -> LedgerEntry:
        current = getattr(wallet, bucket)
        if current + amount < 0:
            error = InsufficientCoins if bucket == Bucket.COINS else InsufficientCredits
            raise error(needed=-amount, available=current)
        change = Change(
            Type.ADJUSTMENT, key, description=reason, created_by_id=staff_user.pk,
            related=("accounts.user", staff_user.pk), **{bucket: amount},
        )
        return apply_changes(wallet, [change])[0]

    return _run_for_user(user, key, body)


def credits_revoke(*, user: Any, amount: int, idempotency_key: str, description: str = "",
                   related: Any = None) -> LedgerEntry:
    """Take back up to ``amount`` unspent purchased credits; records the shortfall."""

    def body(wallet: Wallet) -> LedgerEntry:
        taken = min(amount, wallet.purchased)
        change = Change(
            Type.REVOCATION, idempotency_key, purchased=-taken, description=description,
            related=related, shortfall=amount - taken,
        )
        return apply_changes(wallet, [change])[0]

    return _run_for_user(user, idempotency_key, body)


# --- coins ----------------------------------------------------------------------


def coins_grant(
    *,
    user: Any,
    amount: int,
    idempotency_key: str,
    entry_type: str = Type.COIN_BONUS,
    description: str = "",
    related: Any = None,
) -> LedgerEntry:
    """Add coins (daily bonus, rewards), exactly once per key."""
    if amount <= 0:
        raise ValueError("a coin grant must be positive")
    change = Change(entry_type, idempotency_key, coins=amount, description=description, related=related)
    return _run_for_user(user, idempotency_key, lambda wallet: apply_changes(wallet, [change])[0])


def coins_daily_bonus(*, user: Any, today=None) -> tuple[LedgerEntry, bool]:
    """Claim today's bonus; returns (entry, created). Once per UTC day."""
    day = (today or timezone.now().date()).isoformat()
    key = f"coins:daily:{user.pk}:{day}"
    before = LedgerEntry.objects.filter(idempotency_key=key).first()
    if before is not None:
        return before, False
    entry = coins_grant(
        user=user, amount=settings.BILLING_DAILY_BONUS_COINS, idempotency_key=key,
        description=f"Daily bonus for {day}",
    )
    return entry, True


def coins_transfer(*, sender: Any, recipient: Any, amount: int, idempotency_key: str) -> LedgerEntry:
    """Move coins between two users in one transaction; returns the sender's entry."""
    if amount <= 0:
        raise TransferError("Send at least one coin.")
    if recipient is None:
        raise TransferError("That user does not exist.")
    if sender.pk == recipient.pk:
        raise TransferError("You cannot send coins to yourself.")
    wallet_for(recipient)
    out_key, in_key = f"{idempotency_key}:out", f"{idempotency_key}:in"

    def body(sender_wallet: Wallet) -> LedgerEntry:
        if sender_wallet.coins < amount:
            raise InsufficientCoins(needed=amount, available=sender_wallet.coins)
        recipient_wallet = _wallet_in_txn(recipient.pk)
        out = apply_changes(sender_wallet, [Change(
            Type.COIN_GIFT_OUT, out_key, coins=-amount, description=f"Sent to {recipient.username}",
            related=("accounts.user", recipient.pk),
        )])[0]
        apply_changes(recipient_wallet, [Change(
            Type.COIN_GIFT_IN, in_key, coins=amount, description=f"Gift from {sender.username}",
            related=("accounts.user", sender.pk),
        )])
        return out

    return _run_for_user(sender, out_key, body)
