"""Reads for billing pages and commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import BusinessProfile
from billing.models import LedgerEntry, Package, Payment, Plan, Subscription, Wallet

BUCKETS = ("allowance", "purchased", "coins")


def ledger_models(user: Any) -> list[str]:
    """The AI models ``user``'s usage entries name, sorted (the ledger page's model filter)."""
    # One grouped read on the server ($group), not every entry brought back.
    names = (
        LedgerEntry.objects.filter(user_id=user.pk).order_by().values_list("ai_model", flat=True).distinct()
    )
    return sorted(name for name in names if name)


def ledger_for(user: Any, *, entry_type: str = "", usage_kind: str = "", ai_model: str = ""):
    """``user``'s ledger entries, narrowed by the ledger page's filters (each "" for all)."""
    entries = LedgerEntry.objects.filter(user_id=user.pk)
    wanted = {"entry_type": entry_type, "usage_kind": usage_kind, "ai_model": ai_model}
    return entries.filter(**{field: value for field, value in wanted.items() if value})


def checkout_customer_id(user: Any, subscription: Subscription | None) -> str:
    """The Stripe customer a new checkout bills: the business's own (kept since its first
    payment, seed 001), else the subscription's; "" lets Stripe make one from the email."""
    business = BusinessProfile.objects.filter(user_id=user.pk).values_list("stripe_customer_id", flat=True)
    return next(iter(business), "") or (subscription.stripe_customer_id if subscription else "")


@dataclass(frozen=True)
class Drift:
    user_id: Any
    bucket: str
    wallet: int
    ledger: int

    def __str__(self) -> str:
        return (
            f"user {self.user_id}: {self.bucket} wallet={self.wallet} ledger={self.ledger} "
            f"drift={self.wallet - self.ledger:+d}"
        )


def ledger_sums(user_id: Any | None = None) -> dict[Any, dict[str, int]]:
    """Per user, the sum of every bucket's deltas (one aggregation)."""
    entries = LedgerEntry.objects.all()
    if user_id is not None:
        entries = entries.filter(user_id=user_id)
    rows = entries.values("user_id").annotate(
        allowance=Sum("allowance_delta"), purchased=Sum("purchased_delta"), coins=Sum("coins_delta")
    )
    return {row["user_id"]: {bucket: row[bucket] or 0 for bucket in BUCKETS} for row in rows}


def ledger_drifts(user_id: Any | None = None) -> list[Drift]:
    """Every bucket, and every royalty balance, whose wallet value differs from the sum of its entries."""
    return _drifts(ledger_sums(user_id), BUCKETS, user_id) + royalty_drifts(user_id)


ROYALTY_FIELDS = ("royalty_cents", "royalty_paid_cents")


def royalty_drifts(user_id: Any | None = None) -> list[Drift]:
    """Every royalty balance (owed, paid) that differs from its royalty ledger entries."""
    from billing.services.royalties import royalty_sums

    return _drifts(royalty_sums(user_id), ROYALTY_FIELDS, user_id)


def _drifts(sums: dict[Any, dict[str, int]], fields: tuple[str, ...], user_id: Any | None) -> list[Drift]:
    """Wallet ``fields`` that differ from ``sums`` (per user), and sums whose user has no wallet."""
    wallets = Wallet.objects.all()
    if user_id is not None:
        wallets = wallets.filter(user_id=user_id)
    drifts = []
    seen = set()
    for wallet in wallets.values("user_id", *fields):
        seen.add(wallet["user_id"])
        total = sums.get(wallet["user_id"], {})
        for name in fields:
            if (wallet[name] or 0) != total.get(name, 0):
                drifts.append(Drift(wallet["user_id"], name, wallet[name] or 0, total.get(name, 0)))
    for orphan, total in sums.items():
        if orphan not in seen:
            drifts.extend(Drift(orphan, name, 0, total[name]) for name in fields if total[name])
    return drifts


def active_plans() -> list[Plan]:
    return list(Plan.objects.filter(is_active=True))


def active_packages() -> list[Package]:
    """The credit packs on sale (the pricing page); coin packs are on the coins page."""
    return list(Package.objects.filter(is_active=True, coins_granted=0))


def active_coin_packs() -> list[Package]:
    return list(Package.objects.filter(is_active=True, coins_granted__gt=0))


def plan_for_price(price_id: str) -> tuple[Plan, str] | None:
    """The plan and interval ("month"/"year") a Stripe price belongs to."""
    if not price_id:
        return None
    plan = Plan.objects.filter(stripe_price_monthly=price_id).one()
    if plan:
        return plan, "month"
    plan = Plan.objects.filter(stripe_price_yearly=price_id).one()
    if plan:
        return plan, "year"
    return None


def staff_analytics_summary(*, days: int = 30) -> dict:
    """The staff analytics page: revenue, payments and packs per day over ``days``, active
    subscriptions by tier, totals sold, refunds (all amounts in cents, formatted by the template)."""
    since = timezone.now() - timedelta(days=days)
    completed = Payment.objects.filter(status=Payment.Status.COMPLETED, created_at__gte=since)
    per_day: dict = {}
    for payment in completed.values("created_at", "amount_cents", "credits_purchased", "package_id"):
        day = payment["created_at"].date()
        row = per_day.setdefault(day, {"day": day, "revenue_cents": 0, "payments": 0, "packs": 0})
        row["revenue_cents"] += payment["amount_cents"]
        row["payments"] += 1
        row["packs"] += 1 if payment["package_id"] else 0
    subscriptions = list(
        Subscription.objects.filter(status__in=["active", "trialing"]).values("tier").annotate(n=Count("id"))
    )
    totals = completed.aggregate(revenue=Sum("amount_cents"), credits=Sum("credits_purchased"))
    return {
        "days": sorted(per_day.values(), key=lambda r: r["day"], reverse=True),
        "subscriptions": subscriptions,
        "active_subscriptions": sum(s["n"] for s in subscriptions),
        "revenue_cents": totals["revenue"] or 0,
        "credits_sold": totals["credits"] or 0,
        "refunded": Payment.objects.filter(status=Payment.Status.REFUNDED).count(),
    }


def credit_summary(*, user_id: Any) -> dict:
    """A person's credits as their dashboard shows them, without creating a wallet: the plan's
    allowance, how much of it this period's generations used (usage net of refunds, from the
    ledger since the period began), what is left, purchased credits (never expire) and coins."""
    wallet = (
        Wallet.objects.filter(user_id=user_id)
        .values("plan_code", "allowance", "purchased", "coins", "period_start", "period_end")
        .first()
    )
    if wallet is None:
        return {
            "plan": "",
            "allowance_quota": 0,
            "allowance_used": 0,
            "allowance": 0,
            "purchased": 0,
            "coins": 0,
            "resets": None,
        }
    plan = Plan.objects.filter(code=wallet["plan_code"]).values("name", "credits_per_period").first() or {}
    # Usage and refunds are picked in the sum, not the match: SecantusDB walks an index for one
    # $in or range after the equalities, and the period is the range (ledger_user_currency_time).
    credits = LedgerEntry.objects.filter(user_id=user_id, currency=LedgerEntry.Currency.CREDITS)
    if wallet["period_start"] is not None:
        credits = credits.filter(created_at__gte=wallet["period_start"])
    usage = Q(entry_type__in=[LedgerEntry.Type.USAGE, LedgerEntry.Type.REFUND])
    used = -(credits.aggregate(total=Sum("allowance_delta", filter=usage))["total"] or 0)
    return {
        "plan": plan.get("name", ""),
        "allowance_quota": plan.get("credits_per_period", 0),
        "allowance_used": used,
        "allowance": wallet["allowance"],
        "purchased": wallet["purchased"],
        "coins": wallet["coins"],
        "resets": wallet["period_end"],
    }
