"""The catalog (packages, plans), subscriptions, and wallets funded through the ledger."""

from __future__ import annotations

import factory


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.Package"

    name = factory.Sequence(lambda n: f"Pack {n}")
    stripe_price_id = factory.Sequence(lambda n: f"price_test_pack_{n}")
    ai_credits_granted = 50
    price_cents = 500


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.Plan"
        django_get_or_create = ("code",)

    code = "plus"
    name = "Plus"
    credits_per_period = 100
    rank = 1
    stripe_price_monthly = "price_plus_monthly"
    stripe_price_yearly = "price_plus_yearly"
    price_monthly_cents = 900


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """The local mirror of a Stripe subscription, as a webhook would have left it."""

    class Meta:
        model = "billing.Subscription"

    tier = "plus"
    status = "active"


def fund(user, credits: int, *, key: str | None = None):
    """Give ``user`` ``credits`` purchased credits (a bonus grant through the ledger) on top of
    their wallet's free allowance; returns the user. ``key``: the grant's idempotency key."""
    from billing.services import credits_grant, wallet_for  # the apps load after the project

    wallet_for(user)
    credits_grant(
        user=user,
        amount=credits,
        bucket="purchased",
        entry_type="bonus",
        idempotency_key=key or f"test:fund:{user.pk}",
    )
    return user
