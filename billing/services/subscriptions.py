"""Applying Stripe subscriptions to our state: a subscription bought at checkout, every
``customer.subscription.*`` event, and the wallet following its plan.

Idempotent like every Stripe handler (:func:`billing.services.stripe_data.run_idempotent`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from billing.models import LedgerEntry, Plan, Subscription, Wallet
from billing.selectors import plan_for_price
from billing.services.ledger import Change, _NoWallet, _wallet_in_txn, apply_changes
from billing.services.quotas import period_stamp
from billing.services.stripe_data import (
    ACTIVE_STATUSES,
    business_customer_record,
    customer_id_of,
    named_user_id,
    run_idempotent,
    stripe_time,
    user_named,
    with_wallet_of,
)
from modelsnapper.sentences import Sentence

Type = LedgerEntry.Type


# --- subscriptions ----------------------------------------------------------------


def _subscription_price(sub: dict) -> str:
    items = ((sub.get("items") or {}).get("data")) or []
    if items:
        price = items[0].get("price") or {}
        return price.get("id", "") if isinstance(price, dict) else str(price)
    return (sub.get("metadata") or {}).get("price_id", "")


def _subscription_period(sub: dict) -> tuple[Any, Any]:
    # Newer API versions moved the period onto the items.
    items = ((sub.get("items") or {}).get("data")) or []
    item = items[0] if items else {}
    start = sub.get("current_period_start") or item.get("current_period_start")
    end = sub.get("current_period_end") or item.get("current_period_end")
    return stripe_time(start), stripe_time(end)


def _user_for_subscription(sub: dict) -> Any:
    user = user_named((sub.get("metadata") or {}).get("user_id"))
    if user is None and sub.get("id"):
        row = Subscription.objects.filter(stripe_subscription_id=sub["id"]).one()
        user = row.user if row else None
    if user is None and sub.get("customer"):
        row = Subscription.objects.filter(stripe_customer_id=sub["customer"]).one()
        user = row.user if row else None
    return user


def subscription_from_checkout(session: dict, user: Any) -> str:
    """Link the user to the Stripe customer and subscription the checkout created."""
    subscription_id = session.get("subscription") or ""
    if isinstance(subscription_id, dict):
        subscription_id = subscription_id.get("id", "")
    customer_id = customer_id_of(session)
    found = plan_for_price((session.get("metadata") or {}).get("price_id", ""))

    def txn() -> str:
        row = Subscription.objects.filter(user_id=user.pk).one()
        fields = {"stripe_customer_id": customer_id}
        if subscription_id:
            fields["stripe_subscription_id"] = subscription_id
        if row is None:
            Subscription.objects.create(
                user_id=user.pk,
                tier=found[0].code if found else Plan.Code.FREE,
                interval=found[1] if found else "month",
                **fields,
            )
        elif not row.stripe_subscription_id or row.status == Subscription.Status.CANCELED:
            Subscription.objects.filter(pk=row.pk).update(**fields)
        else:
            Subscription.objects.filter(pk=row.pk).update(
                stripe_customer_id=customer_id or row.stripe_customer_id
            )
        business_customer_record(user.pk, customer_id)
        return "linked"

    return run_idempotent(txn)


def subscription_sync(sub: dict, *, event_type: str, event_created: int) -> str:
    """Mirror a customer.subscription.* event; older events never overwrite newer state."""
    deleted = event_type == "customer.subscription.deleted"
    status = Subscription.Status.CANCELED if deleted else sub.get("status", Subscription.Status.INCOMPLETE)
    price_id = _subscription_price(sub)
    found = plan_for_price(price_id)
    start, end = _subscription_period(sub)
    fields = dict(
        status=status,
        stripe_subscription_id=sub.get("id", ""),
        stripe_customer_id=sub.get("customer") or "",
        stripe_price_id=price_id,
        current_period_start=start,
        current_period_end=end,
        trial_start=stripe_time(sub.get("trial_start")),
        trial_end=stripe_time(sub.get("trial_end")),
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
        metadata=sub.get("metadata") or {},
        last_event_created=event_created,
    )
    if found:
        fields["tier"], fields["interval"] = found[0].code, found[1]

    def txn(user_id: Any) -> str:
        row = Subscription.objects.filter(user_id=user_id).one()
        if row is not None:
            if row.last_event_created > event_created:
                return "stale"
            same_moment = row.last_event_created == event_created
            if (
                same_moment
                and row.status == Subscription.Status.CANCELED
                and not deleted
                and row.stripe_subscription_id == fields["stripe_subscription_id"]
            ):
                return "stale"  # a deletion wins a tie with an update of the same subscription
            Subscription.objects.filter(pk=row.pk).update(**fields)
        else:
            Subscription.objects.create(user_id=user_id, **fields)
        # Every branch reads or writes the wallet: finding it proves the user (with_wallet_of).
        if status in ACTIVE_STATUSES and found:
            _plan_follow(user_id, found[0], row)
        elif status in (
            Subscription.Status.CANCELED,
            Subscription.Status.UNPAID,
            Subscription.Status.INCOMPLETE_EXPIRED,
        ):
            # The allowance follows the plan: back to free from the next reset.
            if not Wallet.objects.filter(user_id=user_id).update(plan_code=Plan.Code.FREE):
                raise _NoWallet
        else:
            _wallet_in_txn(user_id)
        return "synced"

    return with_wallet_of(
        named_user_id((sub.get("metadata") or {}).get("user_id")),
        lambda user_id: run_idempotent(lambda: txn(user_id)),
        find_user=lambda: _user_for_subscription(sub),
        what=f"subscription {sub.get('id')}",
    )


def _plan_follow(user_id: Any, plan: Plan, previous: Subscription | None) -> None:
    """Point the wallet at ``plan``; an upgrade mid-period tops the allowance up at once.

    The top-up is the difference between the plans' quotas, once per period
    and plan (key ``topup:<user>:<period>:<plan>``). A downgrade takes effect
    at the next period, so nobody loses credits they were already given.
    """
    wallet = _wallet_in_txn(user_id)
    changes = []
    active_before = previous is not None and previous.status in ACTIVE_STATUSES
    # The old plan matters only for a change of plan (most events repeat the current one).
    changing = active_before and wallet.plan_code != plan.code and wallet.period_start is not None
    old = Plan.objects.filter(code=wallet.plan_code).one() if changing else None
    if old is not None and plan.rank > old.rank:
        key = f"topup:{user_id}:{period_stamp(wallet.period_start)}:{plan.code}"
        if not LedgerEntry.objects.filter(idempotency_key=key).exists():
            changes = [
                Change(
                    Type.SUBSCRIPTION_GRANT,
                    key,
                    allowance=plan.credits_per_period - old.credits_per_period,
                    description=Sentence(
                        gettext_noop("Upgrade to %(plan)s: allowance top-up"), {"plan": plan.name}
                    ),
                )
            ]
    if changes or wallet.plan_code != plan.code:  # most events repeat the plan: nothing to write
        apply_changes(wallet, changes, plan_code=plan.code)
