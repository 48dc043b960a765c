"""Wallet balances and the append-only ledger: the only code that changes them.

Every public function runs its writes inside :func:`run_in_transaction`. The
wallet update and the ledger insert commit together or not at all, and every
insert carries a unique idempotency key: if a retry (or a concurrent
duplicate) finds the key already taken, the service returns the entry that is
already there instead of applying the change a second time.

Concurrency: each change is one ``update_one`` on the wallet (``$inc``,
guarded so no bucket can go below zero), one insert of the entry, the commit.
MongoDB aborts the second of two transactions that write the same wallet
(WriteConflict) and ``run_in_transaction`` re-runs it against the new
balance, so a balance never goes negative and never drifts from its entries.
Operations that decide from the balance first (transfers, adjustments) read
the wallet inside the same transaction; snapshot isolation makes any
concurrent change conflict.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections
from django.urls import reverse
from django.utils import timezone

from billing.exceptions import BillingError, InsufficientCoins, InsufficientCredits, TransferError
from billing.models import LedgerEntry, Plan, RefundMarker, Wallet, add_period
from modelsnapper.db import TransactionRetriesExhausted, run_in_transaction
from modelsnapper.notices import notify_after_commit

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
    usage_kind: str = ""
    ai_model: str = ""

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


def transact(fn, *, rounds: int = 4):
    """``run_in_transaction`` with more patience for one very hot wallet.

    Every billing write is idempotent by key, so running a block again after
    its 60 conflict retries ran out is safe; it only costs time. Under heavy
    load (a busy shared server) a hot wallet can lose 60 conflicts in a row.
    """
    for round_ in range(rounds):
        try:
            return run_in_transaction(fn)
        except TransactionRetriesExhausted:
            if round_ == rounds - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class _NoWallet(Exception):
    pass


def _wallet_in_txn(user_id: Any) -> Wallet:
    wallet = Wallet.objects.filter(user_id=user_id).one()
    if wallet is None:
        raise _NoWallet
    return wallet


def ledger_entries(user_id: Any, before: dict, changes: list[Change], now) -> list[LedgerEntry]:
    """Ledger rows for ``changes`` applied in order to the balances in ``before``."""
    allowance, purchased, coins = before["allowance"], before["purchased"], before["coins"]
    entries = []
    for change in changes:
        allowance += change.allowance
        purchased += change.purchased
        coins += change.coins
        if min(allowance, purchased, coins) < 0:
            raise ValueError(f"ledger change {change.key} would make a balance negative")
        related_type, related_id = related_ref(change.related)
        entries.append(
            LedgerEntry(
                user_id=user_id,
                entry_type=change.entry_type,
                currency=change.currency,
                bucket=change.bucket,
                amount=change.coins or (change.allowance + change.purchased),
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
                usage_kind=change.usage_kind,
                ai_model=change.ai_model[:120],
                created_at=now,
            )
        )
    return entries


def insert_entries(entries: list[LedgerEntry]) -> None:
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    elif entries:
        LedgerEntry.objects.bulk_create(entries)


BALANCES = {"allowance": 1, "purchased": 1, "coins": 1}


def wallet_collection():
    """The raw wallet collection and this thread's transaction session."""
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.get_collection(Wallet._meta.db_table), connection.session


def read_balances(user_id: Any) -> dict | None:
    """The wallet's balances as this transaction sees them (one indexed point read)."""
    collection, session = wallet_collection()
    return collection.find_one({"user_id": user_id}, BALANCES, session=session)


def write_changes(
    user_id: Any, changes: list[Change], *, before: dict | None = None, **updates: Any
) -> list[LedgerEntry] | None:
    """Apply ``changes`` (and plain field ``updates``) to a wallet, then insert the entries.

    Must run inside a transaction. The wallet gets one ``update_one`` with the
    summed ``$inc``, guarded so no bucket can go below zero. The filter is a
    single flat document on indexed ``user_id``: SecantusDB scans the whole
    collection for ``findAndModify``, ``$expr`` and top-level ``$and``, which
    is why neither the ORM's multi-condition ``update()`` nor those are used
    here. ``before`` is the balance this transaction already read (snapshot
    isolation makes a concurrent change conflict); without it the balance is
    read back after the update. Returns None, writing nothing, when the wallet
    is missing or a bucket would go negative.
    """
    now = timezone.now()
    deltas = {
        "allowance": sum(c.allowance for c in changes),
        "purchased": sum(c.purchased for c in changes),
        "coins": sum(c.coins for c in changes),
    }
    query: dict[str, Any] = {"user_id": user_id}
    for bucket, delta in deltas.items():
        if delta < 0:
            query[bucket] = {"$gte": -delta}
    update: dict[str, Any] = {"$set": {"updated_at": now, **updates}}
    increments = {bucket: delta for bucket, delta in deltas.items() if delta}
    if increments:
        update["$inc"] = increments
    collection, session = wallet_collection()
    if collection.update_one(query, update, session=session).matched_count != 1:
        return None
    if before is None:
        after = collection.find_one({"user_id": user_id}, BALANCES, session=session)
        before = {bucket: after[bucket] - deltas[bucket] for bucket in deltas}
    entries = ledger_entries(user_id, before, changes, now)
    insert_entries(entries)
    return entries


def apply_changes(wallet: Wallet, changes: list[Change], **updates: Any) -> list[LedgerEntry]:
    """Write ``changes`` to ``wallet`` (already read in this transaction) plus field ``updates``.

    Callers check balances first and raise their own friendly error; the
    guard in :func:`write_changes` is the last line of defence.
    """
    entries = write_changes(wallet.user_id, changes, **updates)
    if entries is None:
        raise ValueError("the wallet changed under this transaction or a balance would go negative")
    if entries:
        last = entries[-1]
        wallet.allowance, wallet.purchased, wallet.coins = (
            last.allowance_after,
            last.purchased_after,
            last.coins_after,
        )
    for name, value in updates.items():
        setattr(wallet, name, value)
    return entries


_LOCK_STRIPES = [threading.Lock() for _ in range(64)]


@contextlib.contextmanager
def _wallet_lock(user_id: Any):
    """Threads of one process writing the same wallet take turns.

    Purely an optimisation: without it they still end exact, through
    MongoDB's write conflicts and retries (the tests run both ways, and
    separate processes always rely on that), but a hot wallet then wastes
    most of its time on aborted transactions. Striped, and never nested, so
    it cannot deadlock.
    """
    if not settings.BILLING_WALLET_LOCKS:
        yield
        return
    with _LOCK_STRIPES[hash(str(user_id)) % len(_LOCK_STRIPES)]:
        yield


def _retrying(user: Any, key: str, txn) -> Any:
    """Run ``txn`` in a transaction, creating the wallet if it is missing.

    An IntegrityError on the idempotency key means the change is already
    applied (a retry after an unseen commit, or a concurrent duplicate): the
    existing entry is returned instead of applying it twice.
    """
    for _ in range(2):
        try:
            with _wallet_lock(user.pk):
                return transact(txn)
        except _NoWallet:
            wallet_for(user)
        except IntegrityError:
            entry = LedgerEntry.objects.filter(idempotency_key=key).one()
            if entry is None:
                raise
            return entry
    raise BillingError("could not create the wallet")  # pragma: no cover


def _run_for_user(user: Any, key: str, body) -> Any:
    """``body(wallet)`` with the wallet read inside the transaction."""
    return _retrying(user, key, lambda: body(_wallet_in_txn(user.pk)))


def _write_one(user: Any, change: Change) -> LedgerEntry:
    """A change that needs no decision (a grant): one guarded update, a read-back, one insert."""

    def txn() -> LedgerEntry:
        entries = write_changes(user.pk, [change])
        if entries is None:
            raise _NoWallet
        return entries[0]

    return _retrying(user, change.key, txn)


# --- wallets --------------------------------------------------------------------


def free_plan() -> Plan | None:
    return Plan.objects.filter(code=Plan.Code.FREE).one()


def wallet_for(user: Any) -> Wallet:
    """The user's wallet, created on first use with the free plan's allowance.

    Race-safe: the unique index on ``user`` lets one creator win; the loser
    reads the winner's wallet.
    """
    wallet = Wallet.objects.filter(user_id=user.pk).one()
    if wallet is not None:
        return wallet
    plan = free_plan()
    credits = plan.credits_per_period if plan else settings.BILLING_FREE_CREDITS
    reset_period = plan.reset_period if plan else "monthly"

    def create() -> Wallet:
        existing = Wallet.objects.filter(user_id=user.pk).one()
        if existing is not None:
            return existing
        now = timezone.now()
        wallet = Wallet.objects.create(
            user_id=user.pk,
            plan_code=Plan.Code.FREE,
            period_start=now,
            period_end=add_period(now, reset_period),
        )
        changes = [
            Change(
                Type.SUBSCRIPTION_GRANT,
                f"signup:{user.pk}",
                allowance=credits,
                description="Free plan allowance",
            ),
        ]
        if settings.BILLING_SIGNUP_COINS:
            changes.append(
                Change(
                    Type.COIN_BONUS,
                    f"signup-coins:{user.pk}",
                    coins=settings.BILLING_SIGNUP_COINS,
                    description="Welcome coins",
                )
            )
        apply_changes(wallet, changes)
        return wallet

    try:
        return transact(create)
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


def credits_refund(*, charge_key: str, idempotency_key: str, reason: str) -> LedgerEntry | None:
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
        raise BillingError("A reason is required for an adjustment.")
    if amount == 0:
        raise BillingError("An adjustment must change the balance.")
    if bucket not in (Bucket.ALLOWANCE, Bucket.PURCHASED, Bucket.COINS):
        raise BillingError(f"Unknown bucket {bucket!r}.")
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
    return _write_one(user, change)


def coins_daily_bonus(*, user: Any, today=None) -> tuple[LedgerEntry, bool]:
    """Claim today's bonus; returns (entry, created). Once per UTC day."""
    day = (today or timezone.now().date()).isoformat()
    key = f"coins:daily:{user.pk}:{day}"
    before = LedgerEntry.objects.filter(idempotency_key=key).one()
    if before is not None:
        return before, False
    entry = coins_grant(
        user=user,
        amount=settings.BILLING_DAILY_BONUS_COINS,
        idempotency_key=key,
        entry_type=Type.COIN_DAILY_BONUS,
        description=f"Daily bonus for {day}",
    )
    return entry, True


def coins_transfer(
    *,
    sender: Any,
    recipient: Any,
    amount: int,
    idempotency_key: str,
    out_type: str = Type.COIN_GIFT_OUT,
    in_type: str = Type.COIN_GIFT_IN,
    related: Any = None,
    what: str = "",
) -> LedgerEntry:
    """Move coins between two users in one transaction; returns the sender's entry.

    A gift by default; a tip passes the spend/earn types, the post it tips (``related``) and
    ``what`` it is ("Tip") for the descriptions.
    """
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
        out = apply_changes(
            sender_wallet,
            [
                Change(
                    out_type,
                    out_key,
                    coins=-amount,
                    description=f"{what} to {recipient.username}"
                    if what
                    else f"Sent to {recipient.username}",
                    related=related or ("accounts.user", recipient.pk),
                )
            ],
        )[0]
        apply_changes(
            recipient_wallet,
            [
                Change(
                    in_type,
                    in_key,
                    coins=amount,
                    description=f"{what} from {sender.username}" if what else f"Gift from {sender.username}",
                    related=related or ("accounts.user", sender.pk),
                )
            ],
        )
        return out

    entry = _run_for_user(sender, out_key, body)
    # The key of the recipient's ledger line keeps the notice to one when a request is retried.
    notify_after_commit(
        recipient_id=recipient.pk,
        actor_id=sender.pk,
        kind="coin_earned",
        text=f"{sender.username} sent you {amount} coin{'s' if amount != 1 else ''}.",
        url=reverse("billing:coins"),
        key=f"coins:{in_key}",
    )
    return entry
