"""The subscription page and its actions: change plan, cancel or resume, the Stripe portal."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import offline_checkout, stripe_gateway
from billing.forms import (
    PlanChangeForm,
)
from billing.models import Subscription
from billing.selectors import (
    active_plans,
    plan_for_price,
)
from billing.services import wallet_for
from billing.views.common import stripe_failure_as_message


@login_required
def subscription(request):
    row = Subscription.objects.filter(user_id=request.user.pk).one()
    user_wallet = wallet_for(request.user)
    plans = active_plans()
    current = next((p for p in plans if row and row.is_active and p.code == row.tier), None)
    return render(
        request,
        "billing/subscription.html",
        {
            "subscription": row,
            "wallet": user_wallet,
            "plans": plans,
            "current": current,
            "test_mode": settings.BILLING_TEST_CHECKOUT,
            "portal": stripe_gateway.is_configured(),
        },
    )


def _active_subscription(request) -> Subscription:
    row = Subscription.objects.filter(user_id=request.user.pk).one()
    if row is None or not row.is_active or not row.stripe_subscription_id:
        raise Http404("You have no active subscription.")
    return row


@login_required
@require_POST
@stripe_failure_as_message("billing:subscription")
def subscription_change(request):
    row = _active_subscription(request)
    form = PlanChangeForm(request.POST)
    found = plan_for_price(form.data.get("price_id", "")) if form.is_valid() else None
    if not found or found[0].is_free:
        raise Http404("No such plan.")
    plan, interval = found
    if settings.BILLING_TEST_CHECKOUT:
        offline_checkout.subscription_update(subscription=row, plan=plan, interval=interval)
    else:
        stripe_gateway.subscription_change_price(
            subscription_id=row.stripe_subscription_id, price_id=plan.price_id_for(interval)
        )
    messages.success(
        request, _("Your plan is changing to %(plan)s; the difference is prorated.") % {"plan": plan.name}
    )
    return redirect("billing:subscription")


@login_required
@require_POST
@stripe_failure_as_message("billing:subscription")
def subscription_cancel(request, action: str):
    if action not in ("cancel", "resume"):
        raise Http404
    row = _active_subscription(request)
    cancel = action == "cancel"
    if settings.BILLING_TEST_CHECKOUT:
        offline_checkout.subscription_update(subscription=row, cancel_at_period_end=cancel)
    else:
        stripe_gateway.subscription_set_cancel_at_period_end(
            subscription_id=row.stripe_subscription_id, cancel=cancel
        )
    messages.success(
        request,
        _("Your subscription will end at the period end.") if cancel else _("Your subscription will renew."),
    )
    return redirect("billing:subscription")


@login_required
@require_POST
@stripe_failure_as_message("billing:subscription")
def subscription_portal(request):
    row = Subscription.objects.filter(user_id=request.user.pk).one()
    if not stripe_gateway.is_configured() or row is None or not row.stripe_customer_id:
        raise Http404("The billing portal is not available.")
    url = stripe_gateway.portal_session_create(
        customer_id=row.stripe_customer_id,
        return_url=request.build_absolute_uri(reverse("billing:subscription")),
    )
    return redirect(url)
