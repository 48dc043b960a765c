"""Periodic allowance resets: expire what is left, grant the plan's new quota.

A reset is one transaction per wallet: it re-reads the wallet, does nothing if
its period has not ended (someone else reset it first), otherwise writes the
expiry and the grant under the keys ``expiry:<user>:<period>`` and
``reset:<user>:<period>`` and moves ``period_end`` forward. Two runs at once
conflict on the wallet and the loser sees the moved period; a run resumed
after a crash simply finds fewer wallets due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from billing.models import LedgerEntry, Plan, Subscription, Wallet, add_period
from billing.services.ledger import Change, apply_changes
from modelsnapper.db import run_in_transaction

Type = LedgerEntry.Type


def period_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def reset_key(user_id: Any, period_start: datetime) -> str:
    return f"reset:{user_id}:{period_stamp(period_start)}"


def expiry_key(user_id: Any, period_start: datetime) -> str:
    return f"expiry:{user_id}:{period_stamp(period_start)}"


def allowance_changes(wallet: Wallet, *, plan: Plan, period_start: datetime, entry_type: str,
                      description: str, related: Any = None) -> list[Change]:
    """Expire the unused allowance and grant ``plan``'s quota for the period."""
    changes = []
    if wallet.allowance:
        changes.append(Change(
            Type.ALLOWANCE_EXPIRY, expiry_key(wallet.user_id, period_start), allowance=-wallet.allowance,
            description="Unused allowance expired",
        ))
    if plan.credits_per_period:
        changes.append(Change(
            entry_type, reset_key(wallet.user_id, period_start), allowance=plan.credits_per_period,
            description=description, related=related,
        ))
    return changes


def _next_period(start: datetime, reset_period: str, now: datetime) -> tuple[datetime, datetime | None]:
    """The period containing ``now``, counting whole periods from ``start``."""
    end = add_period(start, reset_period)
    while end is not None and end <= now:
        start, end = end, add_period(end, reset_period)
    return start, end


class PlanCache:
    def __init__(self) -> None:
        self.plans = {plan.code: plan for plan in Plan.objects.all()}

    def effective(self, wallet: Wallet) -> Plan:
        """The wallet's plan, or free when its paid subscription is no longer active."""
        plan = self.plans.get(wallet.plan_code) or self.plans.get(Plan.Code.FREE)
        if plan is None:
            plan = Plan(code=Plan.Code.FREE, name="Free", credits_per_period=10, reset_period="monthly")
        if plan.code != Plan.Code.FREE:
            subscription = Subscription.objects.filter(user_id=wallet.user_id).first()
            if subscription is None or not subscription.is_active:
                plan = self.plans.get(Plan.Code.FREE, plan)
        return plan


def wallet_reset(*, wallet_id: Any, now: datetime | None = None, plans: PlanCache | None = None) -> bool:
    """Reset one wallet if its period has ended; True if this call did it."""
    now = now or timezone.now()
    plans = plans or PlanCache()

    def txn() -> bool:
        wallet = Wallet.objects.filter(pk=wallet_id).first()
        if wallet is None or wallet.period_end is None or wallet.period_end > now:
            return False
        plan = plans.effective(wallet)
        start, end = _next_period(wallet.period_end, plan.reset_period, now)
        changes = allowance_changes(
            wallet, plan=plan, period_start=start, entry_type=Type.SUBSCRIPTION_GRANT,
            description=f"{plan.name} allowance for the period from {start:%Y-%m-%d}",
        )
        apply_changes(wallet, changes, period_start=start, period_end=end, plan_code=plan.code)
        return True

    try:
        return run_in_transaction(txn)
    except IntegrityError:
        # The keys exist: another run reset this period and committed first.
        return False


@dataclass
class ResetReport:
    due: int = 0
    reset: int = 0
    skipped: int = 0


def due_wallet_ids(now: datetime) -> list[Any]:
    return list(Wallet.objects.filter(period_end__lte=now).values_list("pk", flat=True))


def _batches(ids: list[Any], size: int) -> Iterator[list[Any]]:
    for index in range(0, len(ids), size):
        yield ids[index:index + size]


def quotas_reset(
    *,
    now: datetime | None = None,
    batch_size: int = 500,
    dry_run: bool = False,
    progress: Callable[[ResetReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ResetReport:
    """Reset every wallet whose period ended, batch by batch."""
    now = now or timezone.now()
    ids = due_wallet_ids(now)
    report = ResetReport(due=len(ids))
    if dry_run:
        return report
    plans = PlanCache()
    for batch in _batches(ids, batch_size):
        for wallet_id in batch:
            if wallet_reset(wallet_id=wallet_id, now=now, plans=plans):
                report.reset += 1
            else:
                report.skipped += 1
        if progress:
            progress(report)
        if should_stop and should_stop():
            break
    return report
