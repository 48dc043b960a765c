"""Periodic allowance resets: expire what is left, grant the plan's new quota.

A reset is one transaction per wallet: it re-reads the wallet, does nothing if
its period has not ended (someone else reset it first), otherwise writes the
expiry and the grant under the keys ``expiry:<user>:<period>`` and
``reset:<user>:<period>`` and moves ``period_end`` forward. Two runs at once
conflict on the wallet and the loser sees the moved period; a run resumed
after a crash simply finds fewer wallets due.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_noop
from pymongo import UpdateOne

from billing.models import LedgerEntry, Plan, Subscription, Wallet, add_period
from billing.services.ledger import (
    BALANCES,
    Change,
    insert_entries,
    ledger_entries,
    transact,
    wallet_collection,
    wallet_for,
)
from modelsnapper.sentences import Sentence

Type = LedgerEntry.Type


def period_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def reset_key(user_id: Any, period_start: datetime) -> str:
    return f"reset:{user_id}:{period_stamp(period_start)}"


def expiry_key(user_id: Any, period_start: datetime) -> str:
    return f"expiry:{user_id}:{period_stamp(period_start)}"


def allowance_changes(
    wallet: Wallet,
    *,
    plan: Plan,
    period_start: datetime,
    entry_type: str,
    description: str | Sentence,
    related: Any = None,
) -> list[Change]:
    """Expire the unused allowance and grant ``plan``'s quota for the period."""
    changes = []
    if wallet.allowance:
        changes.append(
            Change(
                Type.ALLOWANCE_EXPIRY,
                expiry_key(wallet.user_id, period_start),
                allowance=-wallet.allowance,
                description=Sentence(gettext_noop("Unused allowance expired")),
            )
        )
    if plan.credits_per_period:
        changes.append(
            Change(
                entry_type,
                reset_key(wallet.user_id, period_start),
                allowance=plan.credits_per_period,
                description=description,
                related=related,
            )
        )
    return changes


def _next_period(start: datetime, reset_period: str, now: datetime) -> tuple[datetime, datetime | None]:
    """The period containing ``now``, counting whole periods from ``start``."""
    end = add_period(start, reset_period)
    while end is not None and end <= now:
        start, end = end, add_period(end, reset_period)
    return start, end


class PlanCache:
    """Plans loaded once per run, and each wallet's effective plan."""

    def __init__(self) -> None:
        self.plans = {plan.code: plan for plan in Plan.objects.all()}

    def free(self) -> Plan:
        plan = self.plans.get(Plan.Code.FREE)
        if plan is None:
            plan = Plan(
                code=Plan.Code.FREE,
                name="Free",
                credits_per_period=settings.BILLING_FREE_CREDITS,
                reset_period="monthly",
            )
        return plan

    def effective(self, plan_code: str, subscription_active: bool) -> Plan:
        """The wallet's plan, or free when its paid subscription is no longer active."""
        plan = self.plans.get(plan_code) or self.free()
        if plan.code != Plan.Code.FREE and not subscription_active:
            return self.free()
        return plan


# Wallets reset per transaction: fewer commits and one ledger insert per group.
GROUP_SIZE = 25


@dataclass
class DueWallet:
    pk: Any
    user_id: Any
    plan_code: str
    period_end: datetime
    allowance: int = 0
    purchased: int = 0
    coins: int = 0
    updated_at: datetime | None = None
    # A reset staff asked for (wallet_quota_reset): the new period starts now, whatever the
    # period end, and each entry names the staff member.
    forced_by_id: Any = None


def _new_period(due: DueWallet, plan: Plan, now: datetime) -> tuple[datetime, dict]:
    if due.forced_by_id is not None:
        start, end = now, add_period(now, plan.reset_period)
    else:
        start, end = _next_period(due.period_end, plan.reset_period, now)
    return start, {
        "allowance": plan.credits_per_period,
        "period_start": start,
        "period_end": end,
        "plan_code": plan.code,
        "updated_at": now,
    }


def _listed_guard(due: DueWallet) -> dict:
    """The wallet exactly as listed: updated_at and balances.

    None of these is indexed, so the server finds the document by ``_id``; a
    guard on the indexed ``period_end`` would make SecantusDB walk every
    wallet sharing that period end.
    """
    return {"_id": due.pk, "updated_at": due.updated_at, **_listed_balances(due)}


def _listed_balances(due: DueWallet) -> dict:
    return {"allowance": due.allowance, "purchased": due.purchased, "coins": due.coins}


def _reset_entries(
    due: DueWallet, plan: Plan, start: datetime, before: dict, now: datetime
) -> list[LedgerEntry]:
    description = Sentence(
        gettext_noop("%(plan)s allowance for the period from %(start)s (quota reset by staff)")
        if due.forced_by_id is not None
        else gettext_noop("%(plan)s allowance for the period from %(start)s"),
        {"plan": plan.name, "start_date": f"{start:%Y-%m-%d}"},
    )
    changes = allowance_changes(
        Wallet(user_id=due.user_id, allowance=before["allowance"]),
        plan=plan,
        period_start=start,
        entry_type=Type.SUBSCRIPTION_GRANT,
        description=description,
    )
    for change in changes:
        change.created_by_id = due.forced_by_id
    return ledger_entries(due.user_id, before, changes, now)


def _reset_in_txn(due: DueWallet, plan: Plan, now: datetime) -> list[LedgerEntry] | None:
    """Inside a transaction: move one wallet to its new period; its entries, or None if already done.

    The common case needs no read: the update is guarded on the values that
    were listed. If the wallet changed since, it is read in this transaction
    (snapshot isolation makes any later change conflict) and the decision
    made again; a wallet someone else already reset is left alone.
    """
    start, new_values = _new_period(due, plan, now)
    collection, session = wallet_collection()
    before = _listed_balances(due)
    if collection.update_one(_listed_guard(due), {"$set": new_values}, session=session).matched_count != 1:
        doc = collection.find_one({"_id": due.pk}, {**BALANCES, "period_end": 1}, session=session)
        period_end = doc and doc.get("period_end")
        stored_end = period_end.replace(tzinfo=UTC) if period_end else None
        # A wallet that never resets (no period end) is reset only when staff ask for it.
        if stored_end != due.period_end or (stored_end is None and due.forced_by_id is None):
            return None  # reset by someone else since it was listed
        before = {bucket: doc[bucket] for bucket in BALANCES}
        collection.update_one({"_id": due.pk}, {"$set": new_values}, session=session)
    return _reset_entries(due, plan, start, before, now)


class _GroupChanged(Exception):
    """A wallet of the group changed since it was listed: redo the group one by one."""


def _reset_group(items: list[tuple[DueWallet, Plan]], now: datetime) -> int:
    """Reset a small group of wallets in one transaction: one bulk update, one insert, one commit.

    Every update is guarded on the wallet as listed. If any wallet changed
    since (a charge, or another run's reset), or another run's keys already
    exist, the group's transaction is abandoned and the wallets are reset one
    by one, each of which is then a clean reset or a no-op.
    """
    if len(items) == 1:
        due, plan = items[0]

        def single() -> int:
            made = _reset_in_txn(due, plan, now)
            if made is None:
                return 0
            insert_entries(made)
            return 1

        try:
            return transact(single)
        except IntegrityError:
            return 0  # the keys exist: another run reset this period and committed first

    def group() -> int:
        collection, session = wallet_collection()
        periods = [_new_period(due, plan, now) for due, plan in items]
        result = collection.bulk_write(
            [
                UpdateOne(_listed_guard(due), {"$set": values})
                for (due, _plan), (_start, values) in zip(items, periods, strict=True)
            ],
            ordered=False,
            session=session,
        )
        if result.matched_count != len(items):
            raise _GroupChanged
        entries = [
            entry
            for (due, plan), (start, _values) in zip(items, periods, strict=True)
            for entry in _reset_entries(due, plan, start, _listed_balances(due), now)
        ]
        insert_entries(entries)
        return len(items)

    try:
        return transact(group)
    except (_GroupChanged, IntegrityError):
        return sum(_reset_group([item], now) for item in items)


def _active_subscribers(user_ids: list[Any]) -> set[Any]:
    if not user_ids:
        return set()
    rows = Subscription.objects.filter(user_id__in=user_ids).values("user_id", "status")
    return {row["user_id"] for row in rows if row["status"] in ("active", "trialing")}


def _reset_batch(batch: list[DueWallet], plans: PlanCache, now: datetime) -> tuple[int, int]:
    paid = [d.user_id for d in batch if d.plan_code != Plan.Code.FREE]
    active = _active_subscribers(paid)
    items = [(due, plans.effective(due.plan_code, due.user_id in active)) for due in batch]
    done = sum(_reset_group(items[i : i + GROUP_SIZE], now) for i in range(0, len(items), GROUP_SIZE))
    return done, len(batch) - done


def due_wallets(now: datetime, wallet_id: Any = None) -> list[DueWallet]:
    rows = Wallet.objects.filter(period_end__lte=now)
    if wallet_id is not None:
        rows = Wallet.objects.filter(pk=wallet_id)
    fields = ("id", "user_id", "plan_code", "period_end", "allowance", "purchased", "coins", "updated_at")
    return [
        DueWallet(*(row[name] for name in fields))
        for row in rows.values(*fields)
        if row["period_end"] is not None and row["period_end"] <= now
    ]


def wallet_quota_reset(*, user: Any, staff_user: Any, now: datetime | None = None) -> bool:
    """Start ``user``'s new allowance period now, on staff's request (admin action, command).

    The same reset the nightly run makes (unused allowance expires, the effective plan's
    quota is granted, the next reset moves a whole period on), only not waiting for the
    period to end; both ledger entries name the staff member, which is the audit record.
    True if this call reset the wallet; False if a concurrent reset moved it first.
    """
    if not getattr(staff_user, "is_staff", False):
        raise PermissionDenied("only staff may reset a quota")
    now = (now or timezone.now()).replace(microsecond=0)
    wallet = wallet_for(user)
    fields = ("id", "user_id", "plan_code", "period_end", "allowance", "purchased", "coins", "updated_at")
    row = Wallet.objects.filter(pk=wallet.pk).values(*fields).get()
    due = DueWallet(*(row[name] for name in fields), forced_by_id=staff_user.pk)
    return _reset_batch([due], PlanCache(), now)[0] == 1


def wallet_reset(*, wallet_id: Any, now: datetime | None = None) -> bool:
    """Reset one wallet if its period has ended; True if this call did it."""
    now = now or timezone.now()
    due = due_wallets(now, wallet_id)
    return bool(due) and _reset_batch(due, PlanCache(), now)[0] == 1


@dataclass
class ResetReport:
    due: int = 0
    reset: int = 0
    skipped: int = 0


def quotas_reset(
    *,
    now: datetime | None = None,
    batch_size: int = 500,
    workers: int = 1,
    dry_run: bool = False,
    progress: Callable[[ResetReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ResetReport:
    """Reset every wallet whose period ended, in batches, on ``workers`` threads.

    Wallets are independent, so batches run in parallel without conflicts;
    the progress callback runs after each batch, and ``should_stop`` (SIGTERM)
    stops handing out new batches.
    """
    now = now or timezone.now()
    due = due_wallets(now)
    report = ResetReport(due=len(due))
    if dry_run or not due:
        return report
    plans = PlanCache()
    batches = [due[i : i + batch_size] for i in range(0, len(due), batch_size)]
    lock = threading.Lock()

    def run(batch: list[DueWallet]) -> None:
        if should_stop and should_stop():
            return
        done, skipped = _reset_batch(batch, plans, now)
        with lock:
            report.reset += done
            report.skipped += skipped
            if progress:
                progress(report)

    if workers <= 1:
        for batch in batches:
            run(batch)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, batches))
    return report
