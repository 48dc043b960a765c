"""Ending subscriptions Stripe stopped telling us about (``manage.py cleanup``).

A subscription whose period ended and that never renewed should have been ended by Stripe's
``customer.subscription.deleted``; when that event was lost, the user would keep a paid
allowance for good. After a grace period (Stripe retries a renewal for days) it is ended the
same way that event ends it: through :func:`billing.services.subscriptions.subscription_sync`, so
the wallet follows the plan back to free in one place. A later real event from Stripe is newer
and still wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from billing.models import Subscription
from billing.services.subscriptions import subscription_sync

# Statuses that still grant a paid allowance; the others are already ended or never started.
STILL_PAID = (Subscription.Status.ACTIVE, Subscription.Status.TRIALING, Subscription.Status.PAST_DUE)


def subscriptions_stale(*, now: datetime, grace: timedelta) -> list[Subscription]:
    return list(
        Subscription.objects.filter(status__in=STILL_PAID, current_period_end__lt=now - grace).order_by("pk")
    )


def subscriptions_expire_stale(
    *, now: datetime, grace: timedelta, dry_run: bool = False
) -> list[Subscription]:
    """End every paid subscription whose period ended more than ``grace`` ago; those ended."""
    stale = subscriptions_stale(now=now, grace=grace)
    if dry_run:
        return stale
    ended = []
    for row in stale:
        as_deleted = {
            "id": row.stripe_subscription_id,
            "customer": row.stripe_customer_id,
            "status": Subscription.Status.CANCELED,
            "metadata": {**(row.metadata or {}), "user_id": str(row.user_id)},
            "items": {"data": [{"price": {"id": row.stripe_price_id}, **_period(row)}]},
        }
        outcome = subscription_sync(
            as_deleted, event_type="customer.subscription.deleted", event_created=int(now.timestamp())
        )
        if outcome == "synced":
            ended.append(row)
    return ended


def _period(row: Subscription) -> dict:
    start, end = row.current_period_start, row.current_period_end
    return {
        "current_period_start": int(start.timestamp()) if start else None,
        "current_period_end": int(end.timestamp()) if end else None,
    }
