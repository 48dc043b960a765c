"""Catalog rows every environment needs: plans (seed 004) and credit packs (seed 001);
and, for the demo site, subscriptions on every plan (``seed_subscription``)."""

from __future__ import annotations

import time
from typing import Any

from billing.models import Package, Plan, StripeEvent, Subscription
from billing.offline_checkout import (
    _id,
    checkout_session,
    invoice_object,
    post_event,
    subscription_object,
)
from billing.services import wallet_for
from billing.services.webhooks import event_build
from modelsnapper.seeding import seed_record

PLANS = [
    dict(
        code="free",
        name="Free",
        rank=0,
        credits_per_period=10,
        reset_period="monthly",
        price_monthly_cents=0,
        price_yearly_cents=0,
        trial_days=0,
        stripe_price_monthly="",
        stripe_price_yearly="",
        description="10 credits a month to try things out.",
    ),
    dict(
        code="plus",
        name="Plus",
        rank=1,
        credits_per_period=100,
        reset_period="monthly",
        price_monthly_cents=900,
        price_yearly_cents=9000,
        trial_days=7,
        stripe_price_monthly="price_plus_monthly",
        stripe_price_yearly="price_plus_yearly",
        description="100 credits a month for regular creators.",
    ),
    dict(
        code="pro",
        name="Pro",
        rank=2,
        credits_per_period=1000,
        reset_period="monthly",
        price_monthly_cents=2900,
        price_yearly_cents=29000,
        trial_days=7,
        stripe_price_monthly="price_pro_monthly",
        stripe_price_yearly="price_pro_yearly",
        description="1,000 credits a month for studios and businesses.",
    ),
]

PACKAGES = [
    dict(
        stripe_price_id="price_coins_500",
        name="500 coins",
        ai_credits_granted=0,
        coins_granted=500,
        price_cents=499,
        human_model_access=False,
        description="500 coins to tip creators and boost your posts.",
    ),
    dict(
        stripe_price_id="price_pack_starter",
        name="Starter pack",
        ai_credits_granted=50,
        price_cents=500,
        human_model_access=False,
        description="50 credits that never expire.",
    ),
    dict(
        stripe_price_id="price_pack_creator",
        name="Creator pack",
        ai_credits_granted=250,
        price_cents=2000,
        human_model_access=False,
        description="250 credits that never expire.",
    ),
    dict(
        stripe_price_id="price_pack_business",
        name="Business pack",
        ai_credits_granted=1000,
        price_cents=6900,
        human_model_access=True,
        description="1,000 credits plus access to the human model marketplace.",
    ),
]


def seed_catalog() -> None:
    """Create or refresh the plans and packs; safe to run any number of times."""
    for row in PLANS:
        values = dict(row)
        code = values.pop("code")
        Plan.objects.update_or_create(code=code, defaults=values)
    for row in PACKAGES:
        values = dict(row)
        price_id = values.pop("stripe_price_id")
        Package.objects.update_or_create(stripe_price_id=price_id, defaults=values)


# A demo account is on the free plan, pays monthly for Plus or Pro, or starts a Plus trial.
DEMO_PLANS = ["plus", "pro", "free", "trialing"]


def demo_plan(position: int) -> str:
    """The plan the ``position``-th demo account (from 0) is on: plus, pro, free, trialing, in turn."""
    return DEMO_PLANS[position % len(DEMO_PLANS)]


def seed_subscription(*, user: Any, plan_kind: str) -> bool:
    """Put ``user`` on ``plan_kind`` the way Stripe would report it; False when nothing was needed.

    Every change reaches the wallet through the real webhook and ledger: the offline
    checkout's Stripe-format events (checkout session, subscription, first invoice; a
    trial has no invoice yet), signed and posted to our webhook view. Each event is
    recorded as demo data. An account that already has a subscription keeps it.
    """
    wallet_for(user)
    if plan_kind == "free" or Subscription.objects.filter(user_id=user.pk).exists():
        return False
    trial = plan_kind == "trialing"
    plan = Plan.objects.get(code="plus" if trial else plan_kind)
    interval = "month"
    subscription_id, customer_id = _id("sub"), _id("cus")
    session = checkout_session(
        user=user,
        price_id=plan.price_id_for(interval),
        mode="subscription",
        amount=0 if trial else plan.price_cents_for(interval),
        currency=plan.currency,
        subscription_id=subscription_id,
        customer_id=customer_id,
    )
    sub = subscription_object(
        user=user,
        plan=plan,
        interval=interval,
        subscription_id=subscription_id,
        customer_id=customer_id,
        status="trialing" if trial else "active",
    )
    events = [event_build("checkout.session.completed", session)]
    if trial:
        start = int(time.time())
        sub.update(trial_start=start, trial_end=start + plan.trial_days * 86400)
        events.append(event_build("customer.subscription.created", sub))
    else:
        invoice = invoice_object(
            user=user,
            plan=plan,
            interval=interval,
            subscription_id=subscription_id,
            customer_id=customer_id,
            period_start=sub["current_period_start"],
            period_end=sub["current_period_end"],
        )
        events += [
            event_build("customer.subscription.created", sub),
            event_build("invoice.paid", invoice),
        ]
    for event in events:
        post_event(event)
        recorded = StripeEvent.objects.filter(event_id=event["id"]).first()
        if recorded is not None:
            seed_record(f"stripe-event:{event['id']}", recorded)
    return True
