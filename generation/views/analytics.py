"""Usage analytics over a validated date range: a user's own, and the system's for staff."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from generation import analytics, selectors
from generation.models import (
    Job,
)


def _analytics_range(request) -> tuple[analytics.RangeForm, analytics.DateRange | None]:
    """The range a page asks for (the last 30 days when it asks nothing); None when it is invalid."""
    form = analytics.RangeForm(request.GET or None)
    if not request.GET:
        return form, analytics.default_range()
    return form, form.cleaned_data["period"] if form.is_valid() else None


@login_required
@require_GET
def my_analytics(request):
    form, period = _analytics_range(request)
    if period is None:
        return render(request, "generation/analytics.html", {"form": form, "analytics": None}, status=400)
    figures = analytics.user_analytics(user_id=request.user.pk, period=period)
    return render(request, "generation/analytics.html", {"form": form, "analytics": figures})


@staff_member_required
@require_GET
def staff_analytics(request):
    form, period = _analytics_range(request)
    if period is None:
        return render(
            request, "generation/staff_analytics.html", {"form": form, "analytics": None}, status=400
        )
    context = {
        "form": form,
        "analytics": analytics.system_analytics(period=period),
        "summary": selectors.usage_summary(Job.objects.all()),  # per-provider jobs and cost, last 30 days
    }
    return render(request, "generation/staff_analytics.html", context)
