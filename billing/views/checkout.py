"""The Stripe webhook, the pricing page and checkout (Stripe's or the test one), and its success page."""

from __future__ import annotations

import contextlib

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import offline_checkout, stripe_gateway
from billing.exceptions import PermanentEventError
from billing.forms import (
    CheckoutForm,
    TestCheckoutForm,
)
from billing.models import Package, Payment, Plan, Subscription
from billing.selectors import (
    active_packages,
    active_plans,
    checkout_customer_id,
    plan_for_price,
)
from billing.services.payments import checkout_fulfil
from billing.services.webhooks import webhook_receive
from billing.views.common import stripe_failure_as_message
from modelsnapper.observability import metrics


@csrf_exempt
@require_POST
def stripe_webhook(request):
    result = webhook_receive(payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE"))
    metrics.webhook_result("stripe", result.status_code)
    return HttpResponse(result.message, status=result.status_code, content_type="text/plain")


def pricing(request):
    subscription = None
    if request.user.is_authenticated:
        subscription = Subscription.objects.filter(user_id=request.user.pk).one()
    return render(
        request,
        "billing/pricing.html",
        {
            "plans": active_plans(),
            "packages": active_packages(),
            "subscription": subscription,
            "test_mode": settings.BILLING_TEST_CHECKOUT,
            "checkout_form": CheckoutForm(),
        },
    )


def _product_for_price(price_id: str) -> tuple[Package | None, Plan | None, str]:
    package = Package.objects.filter(stripe_price_id=price_id, is_active=True).one()
    if package:
        return package, None, ""
    found = plan_for_price(price_id)
    if found and found[0].is_active and not found[0].is_free:
        return None, found[0], found[1]
    raise Http404("No such package or plan.")


@login_required
@require_POST
@stripe_failure_as_message("billing:pricing")
def checkout(request, price_id: str):
    package, plan, interval = _product_for_price(price_id)
    subscription = Subscription.objects.filter(user_id=request.user.pk).one()
    if plan and subscription and subscription.is_active:
        messages.info(request, _("You already have a subscription: change your plan here."))
        return redirect("billing:subscription")
    if settings.BILLING_TEST_CHECKOUT:
        return redirect("billing:test_checkout", price_id=price_id)
    if not stripe_gateway.is_configured():
        messages.info(request, _("Purchases are not available yet. Please come back later."))
        return redirect("billing:pricing")
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This page had expired. Please choose again."))
        return redirect("billing:pricing")
    session = stripe_gateway.checkout_session_create(
        user=request.user,
        price_id=price_id,
        mode="payment" if package else "subscription",
        success_url=request.build_absolute_uri(reverse("billing:checkout_success"))
        + ("?kind=plan" if plan else ""),
        cancel_url=request.build_absolute_uri(reverse("billing:pricing")),
        customer_id=checkout_customer_id(request.user, subscription),
        trial_days=plan.trial_days if plan and not subscription else 0,
        # The same submission (a double click, a resubmitted page) gets the same session from Stripe.
        idempotency_key=f"checkout:{request.user.pk}:{price_id}:{form.cleaned_data['token']}",
    )
    return redirect(session["url"])


@login_required
def test_checkout_page(request, price_id: str):
    """Offline checkout (no Stripe keys): clearly test mode, runs the real webhook path."""
    if not settings.BILLING_TEST_CHECKOUT:
        raise Http404("Test checkout is disabled when Stripe is configured.")
    package, plan, interval = _product_for_price(price_id)
    subscription = Subscription.objects.filter(user_id=request.user.pk).one()
    if plan and subscription and subscription.is_active:
        return redirect("billing:subscription")
    form = TestCheckoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if package:
            session_id = offline_checkout.package_checkout(
                user=request.user,
                package=package,
                outcome=form.cleaned_data["outcome"],
                token=form.cleaned_data["token"],
            )
        else:
            session_id = offline_checkout.plan_checkout(user=request.user, plan=plan, interval=interval)
        kind = "" if package else "&kind=plan"
        return redirect(f"{reverse('billing:checkout_success')}?session_id={session_id}{kind}")
    return render(
        request,
        "billing/test_checkout.html",
        {
            "form": form,
            "package": package,
            "plan": plan,
            "interval": interval,
            "price_cents": package.price_cents if package else plan.price_cents_for(interval),
        },
    )


def _checkout_state(request, session_id: str) -> str:
    """'completed', 'failed' or 'processing' for one of the user's sessions."""
    is_plan = request.GET.get("kind") == "plan"
    payment = Payment.objects.filter(external_id=session_id, user_id=request.user.pk).one()
    if payment and payment.status in (Payment.Status.COMPLETED, Payment.Status.REFUNDED):
        return "completed"
    if payment and payment.status == Payment.Status.FAILED:
        return "failed"
    if is_plan:
        # A subscription checkout is paid through its first invoice, not the session.
        subscription = Subscription.objects.filter(user_id=request.user.pk).one()
        if subscription and subscription.is_active:
            return "completed"
    return "processing"


@login_required
def checkout_success(request):
    session_id = request.GET.get("session_id", "")
    if not session_id.startswith("cs_"):
        raise Http404("Unknown checkout session.")
    state = _checkout_state(request, session_id)
    if state == "processing" and stripe_gateway.is_configured():
        # Do not wait for the webhook: fulfil from Stripe's own copy (idempotent).
        try:
            session = stripe_gateway.checkout_session_retrieve(session_id)
        except stripe.StripeError:  # Stripe unreachable or refusing: the webhook will still arrive
            session = None
        if session and str(session.get("client_reference_id")) == str(request.user.pk):
            with contextlib.suppress(PermanentEventError):  # stored and reported by the webhook
                checkout_fulfil(session)
            state = _checkout_state(request, session_id)
    template = (
        "billing/_checkout_status.html"
        if request.headers.get("HX-Request")
        else "billing/checkout_success.html"
    )
    return render(
        request,
        template,
        {"state": state, "session_id": session_id, "test_mode": settings.BILLING_TEST_CHECKOUT},
    )
