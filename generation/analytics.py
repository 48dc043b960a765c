"""My usage (``generation:analytics``): the date range and the figures, read for one user.

Every figure is one query bounded by the range (or one point read), so the page costs the same
number of queries whether the user made ten generations or ten thousand.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from billing.models import LedgerEntry, Payment, Wallet
from generation import selectors
from generation.models import AIModel, Image, Job

PRESETS = (7, 30, 90)
MAX_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    first: date  # both days included, in the site's time zone
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """The first moment after the range."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


# A choice label translated when shown, not when this module is imported.
_last_days = lazy(lambda days: gettext("Last %(days)s days") % {"days": days}, str)


class RangeForm(forms.Form):
    """``?range=7|30|90`` or ``?range=custom&start=YYYY-MM-DD&end=YYYY-MM-DD`` (default 30 days)."""

    range = forms.ChoiceField(
        choices=[(str(n), _last_days(n)) for n in PRESETS] + [("custom", gettext_lazy("Custom"))],
        required=False,
    )
    start = forms.DateField(
        required=False, label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if data.get("range", "") != "custom":
            days = int(data.get("range") or 30)
            data["period"] = DateRange(first=today - timedelta(days=days - 1), last=today)
            return data
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            raise forms.ValidationError(gettext("Choose both a start and an end date for a custom range."))
        if start > end:
            raise forms.ValidationError(gettext("The start date must be on or before the end date."))
        if end > today:
            raise forms.ValidationError(gettext("The end date cannot be in the future."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                gettext("Choose a range of at most %(days)d days.") % {"days": MAX_DAYS}
            )
        data["period"] = DateRange(first=start, last=end)
        return data


def default_range() -> DateRange:
    today = timezone.localdate()
    return DateRange(first=today - timedelta(days=29), last=today)


def _in_range(queryset, field: str, period: DateRange):
    return queryset.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def usage_by_day(*, user_id: Any, period: DateRange) -> list[dict]:
    """Generations submitted each day of the range (days without any included)."""
    moments = _in_range(Job.objects.filter(user_id=user_id), "submitted_at", period).values_list(
        "submitted_at", flat=True
    )
    per_day = Counter(timezone.localdate(moment) for moment in moments)
    return [{"day": day, "count": per_day.get(day, 0)} for day in period.days()]


def usage_by_model(*, user_id: Any, period: DateRange) -> list[dict]:
    """Generations per AI model in the range, the most used first."""
    rows = list(
        _in_range(Job.objects.filter(user_id=user_id), "submitted_at", period)
        .values("ai_model_id")
        .annotate(n=Count("id"))
    )
    names = dict(
        AIModel.objects.filter(pk__in=[row["ai_model_id"] for row in rows]).values_list("pk", "name")
    )
    used = [
        {"name": names.get(row["ai_model_id"], gettext("A retired model")), "count": row["n"]} for row in rows
    ]
    return sorted(used, key=lambda row: (-row["count"], row["name"]))


def credits_used(*, user_id: Any, period: DateRange) -> int:
    """Credits spent in the range, net of refunds, from the ledger (the one record of money)."""
    # Usage and refunds are picked in the sum, not the match: SecantusDB walks an index for one
    # $in or range after the equalities, and the period is the range (ledger_user_currency_time).
    entries = _in_range(
        LedgerEntry.objects.filter(user_id=user_id, currency=LedgerEntry.Currency.CREDITS),
        "created_at",
        period,
    )
    usage = Q(entry_type__in=[LedgerEntry.Type.USAGE, LedgerEntry.Type.REFUND])
    return -(entries.aggregate(total=Sum("amount", filter=usage))["total"] or 0)


def remaining_credits(*, user_id: Any) -> dict:
    wallet = Wallet.objects.filter(user_id=user_id).values("allowance", "purchased", "period_end").first()
    if wallet is None:
        return {"allowance": 0, "purchased": 0, "total": 0, "resets": None}
    return {**wallet, "total": wallet["allowance"] + wallet["purchased"], "resets": wallet["period_end"]}


def lifetime_images(*, user_id: Any) -> int:
    return Image.objects.filter(user_id=user_id).shown().count()


def processing_times(*, user_id: Any, period: DateRange) -> dict:
    """Seconds from submission to completion of the range's completed generations: average and p95."""
    rows = _in_range(
        Job.objects.filter(user_id=user_id, status=Job.Status.COMPLETED), "submitted_at", period
    ).values_list("submitted_at", "completed_at")
    seconds = sorted((done - sent).total_seconds() for sent, done in rows if done is not None)
    if not seconds:
        return {"count": 0, "average": None, "p95": None}
    rank = max(1, math.ceil(0.95 * len(seconds)))  # nearest-rank percentile
    return {"count": len(seconds), "average": sum(seconds) / len(seconds), "p95": seconds[rank - 1]}


def user_analytics(*, user_id: Any, period: DateRange) -> dict:
    series = usage_by_day(user_id=user_id, period=period)
    peak = max((point["count"] for point in series), default=0) or 1
    for point in series:
        point["percent"] = round(100 * point["count"] / peak)
    return {
        "period": period,
        "series": series,
        "total": sum(point["count"] for point in series),
        "models": usage_by_model(user_id=user_id, period=period),
        "credits_used": credits_used(user_id=user_id, period=period),
        "remaining": remaining_credits(user_id=user_id),
        "lifetime_images": lifetime_images(user_id=user_id),
        "times": processing_times(user_id=user_id, period=period),
    }


# --- staff: the whole system (``generation:staff_analytics``) -------------------------------


def _per_day(moments, period: DateRange, weights=None) -> list[dict]:
    totals: Counter = Counter()
    for index, moment in enumerate(moments):
        totals[timezone.localdate(moment)] += 1 if weights is None else weights[index]
    return [{"day": day, "value": totals.get(day, 0)} for day in period.days()]


def system_analytics(*, period: DateRange) -> dict:
    """Users, generations (by status, model, provider), money and their daily trends over ``period``.

    Each figure is one query bounded by the range (totals are counts), so the page costs the
    same number of queries however many jobs the range holds.
    """
    users = get_user_model().objects
    joined = list(_in_range(users.all(), "date_joined", period).values_list("date_joined", flat=True))
    jobs = _in_range(Job.objects.all(), "submitted_at", period)
    by_status = {row["status"]: row["n"] for row in jobs.values("status").annotate(n=Count("id"))}
    by_model = list(jobs.values("ai_model_id", "status").annotate(n=Count("id")))
    catalog = selectors.catalog_costs(row["ai_model_id"] for row in by_model)

    def model_name(row: dict) -> str:
        entry = catalog.get(row["ai_model_id"])
        return entry.name if entry is not None else gettext("A retired model")

    costs = selectors.provider_cost_cents(by_model, catalog, group=model_name)
    models_used: dict[str, dict] = {}
    for row in by_model:
        name = model_name(row)
        entry = models_used.setdefault(name, {"name": name, "jobs": 0, "cost_cents": costs[name]})
        entry["jobs"] += row["n"]
    by_provider = {
        row["provider"] or "none": row["n"] for row in jobs.values("provider").annotate(n=Count("id"))
    }
    submitted = list(jobs.values_list("submitted_at", flat=True))
    payments = list(
        _in_range(
            Payment.objects.filter(status__in=[Payment.Status.COMPLETED, Payment.Status.REFUNDED]),
            "created_at",
            period,
        ).values_list("created_at", "amount_cents", "refunded_cents")
    )
    figures = {
        "period": period,
        "users_total": users.count(),
        "users_new": len(joined),
        "users_active": len(set(jobs.values_list("user_id", flat=True))),
        "jobs_total": len(submitted),
        "by_status": [{"status": Job.Status(key).label, "jobs": n} for key, n in sorted(by_status.items())],
        "by_model": sorted(models_used.values(), key=lambda row: (-row["jobs"], row["name"])),
        "by_provider": [{"name": name, "jobs": n} for name, n in sorted(by_provider.items())],
        # The exact total rounded once (not the sum of the rounded rows: prices are fractions of a cent).
        "provider_cost_cents": selectors.provider_cost_cents(by_model, catalog, group=lambda row: None).get(
            None, 0
        ),
        "revenue_cents": sum(amount for _, amount, _ in payments),
        "refunded_cents": sum(refunded for _, _, refunded in payments),
        "jobs_per_day": _per_day(submitted, period),
        "users_per_day": _per_day(joined, period),
        "revenue_per_day": _per_day([p[0] for p in payments], period, weights=[p[1] for p in payments]),
    }
    # Charts draw dollars (two places, Decimal); tables print the cents through the money filter.
    figures["revenue_dollars_per_day"] = [
        {"day": row["day"], "value": Decimal(row["value"]) / 100} for row in figures["revenue_per_day"]
    ]
    figures["daily"] = [
        {
            "day": jobs_row["day"],
            "jobs": jobs_row["value"],
            "users": users_row["value"],
            "revenue_cents": money["value"],
        }
        for jobs_row, users_row, money in zip(
            figures["jobs_per_day"], figures["users_per_day"], figures["revenue_per_day"], strict=True
        )
    ]
    return figures
