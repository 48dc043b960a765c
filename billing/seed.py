"""Catalog rows every environment needs: plans (seed 004) and credit packs (seed 001)."""

from __future__ import annotations

from billing.models import Package, Plan

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
