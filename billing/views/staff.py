"""Staff billing pages: analytics and balance adjustments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from billing.exceptions import BillingError
from billing.forms import (
    AdjustmentForm,
)
from billing.selectors import (
    staff_analytics_summary,
)
from billing.services import credits_adjust


@staff_member_required
def staff_analytics(request):
    return render(request, "billing/staff_analytics.html", staff_analytics_summary())


@staff_member_required
def staff_adjust(request):
    """Staff correct a balance; the reason goes on the ledger with their name."""
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["username"]
        try:
            credits_adjust(
                user=user,
                amount=form.cleaned_data["amount"],
                bucket=form.cleaned_data["bucket"],
                reason=form.cleaned_data["reason"],
                staff_user=request.user,
                idempotency_key=f"{request.user.pk}:{form.cleaned_data['token']}",
            )
        except BillingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("Adjusted %(name)s's balance: %(bucket)s.")
                % {
                    "name": user.username,
                    "bucket": dict(form.fields["bucket"].choices)[form.cleaned_data["bucket"]],
                },
            )
            return redirect("billing:staff_adjust")
    return render(request, "billing/staff_adjust.html", {"form": form})
