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

This module is the core every writer stands on (wallets, the guarded write, the
retry-on-duplicate-key rule); the credit operations live in ``credits`` and the
coin operations in ``coins``, both written with these primitives.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections
from django.utils import timezone
from django.utils.translation import gettext_noop

from billing.exceptions import BillingError
from billing.models import LedgerEntry, Plan, Wallet, add_period
from modelsnapper.db import TransactionRetriesExhausted, run_in_transaction
from modelsnapper.sentences import Sentence, written

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
    # A Sentence is stored in English and shown in the reader's language (modelsnapper.sentences).
    description: str | Sentence = ""
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
        description, sentence = written(change.description)
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
                balance_after=coins if change.currency == Currency.COINS else allowance + purchased,
                related_type=related_type,
                related_id=related_id,
                description=description[:300],
                description_sentence=sentence,
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
    isolation makes a concurrent change conflict): the filter then asks for
    exactly those balances, so a stale ``before`` matches nothing instead of
    writing wrong ``*_after`` figures, and no read-back is needed; without it
    the balance is read back after the update. Returns None, writing nothing,
    when the wallet is missing, is not at ``before``, or a bucket would go
    negative.
    """
    now = timezone.now()
    deltas = {
        "allowance": sum(c.allowance for c in changes),
        "purchased": sum(c.purchased for c in changes),
        "coins": sum(c.coins for c in changes),
    }
    query: dict[str, Any] = {"user_id": user_id}
    for bucket, delta in deltas.items():
        if before is not None:
            if before[bucket] + delta < 0:
                return None
            query[bucket] = before[bucket]
        elif delta < 0:
            query[bucket] = {"$gte": -delta}
    update: dict[str, Any] = {"$set": {"updated_at": now, **updates}}
    increments = {bucket: delta for bucket, delta in deltas.items() if delta}
    if increments:
        update["$inc"] = increments
    collection, session = wallet_collection()
    if collection.update_one(query, update, session=session).matched_count != 1:
        return None
    if not changes:
        return []  # only field updates: no entry, so no balance to read back
    if before is None:
        after = collection.find_one({"user_id": user_id}, BALANCES, session=session)
        before = {bucket: after[bucket] - deltas[bucket] for bucket in deltas}
    entries = ledger_entries(user_id, before, changes, now)
    insert_entries(entries)
    return entries


def apply_changes(wallet: Wallet, changes: list[Change], **updates: Any) -> list[LedgerEntry]:
    """Write ``changes`` to ``wallet`` (already read in this transaction) plus field ``updates``.

    Callers check balances first and raise their own friendly error; the
    guard in :func:`write_changes` is the last line of defence. The wallet's
    balances are the ``before`` of the write (no read-back round trip).
    """
    before = {bucket: getattr(wallet, bucket) for bucket in BALANCES}
    entries = write_changes(wallet.user_id, changes, before=before, **updates)
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
                description=Sentence(gettext_noop("Free plan allowance")),
            ),
        ]
        if settings.BILLING_SIGNUP_COINS:
            changes.append(
                Change(
                    Type.COIN_BONUS,
                    f"signup-coins:{user.pk}",
                    coins=settings.BILLING_SIGNUP_COINS,
                    description=Sentence(gettext_noop("Welcome coins")),
                )
            )
        apply_changes(wallet, changes)
        return wallet

    try:
        return transact(create)
    except IntegrityError:
        return Wallet.objects.get(user_id=user.pk)
