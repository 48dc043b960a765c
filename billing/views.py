"""Billing pages: thin views over selectors and services."""

from __future__ import annotations

import contextlib
import csv
import logging
from functools import wraps
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import offline_checkout, stripe_gateway
from billing.exceptions import BillingError, PermanentEventError
from billing.forms import (
    AdjustmentForm,
    CheckoutForm,
    GiftCoinsForm,
    LedgerFilterForm,
    PlanChangeForm,
    TestCheckoutForm,
    TipForm,
)
from billing.models import Invoice, LedgerEntry, Package, Payment, Plan, Subscription
from billing.selectors import (
    active_packages,
    active_plans,
    checkout_customer_id,
    ledger_for,
    ledger_models,
    plan_for_price,
    staff_analytics_summary,
)
from billing.services import coins_daily_bonus, coins_transfer, credits_adjust, wallet_for
from billing.services.coins import coins_tip as coins_tip_send
from billing.services.payments import checkout_fulfil
from billing.services.webhooks import webhook_receive
from modelsnapper.ids import object_id_or_404
from modelsnapper.observability import metrics
from modelsnapper.paging import keyset_page
from social.selectors import post_for_viewer

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
COIN_TYPES = [
    LedgerEntry.Type.COIN_BONUS,
    LedgerEntry.Type.COIN_GIFT_IN,
    LedgerEntry.Type.COIN_GIFT_OUT,
    LedgerEntry.Type.COIN_REWARD,
]


# --- webhook ------------------------------------------------------------------------


@csrf_exempt
@require_POST
def stripe_webhook(request):
    result = webhook_receive(payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE"))
    metrics.webhook_result("stripe", result.status_code)
    return HttpResponse(result.message, status=result.status_code, content_type="text/plain")


# --- Stripe calls ---------------------------------------------------------------------


def _came_from(request, fallback: str) -> str:
    """The page the form was on (our own pages only), else ``fallback``."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path.startswith("/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse(fallback)


def stripe_failure_as_message(fallback: str):
    """A view that calls Stripe: when Stripe says no, a message on the page the user came from.

    A declined card is the customer's to fix, and Stripe's message is written
    for them; anything else (an outage, a rejected request) is ours, logged
    with Stripe's request id so it can be found in Stripe's dashboard (the
    log line also carries our own request id). Stripe refuses or fails the
    call as a whole, so nothing was charged or changed on either side.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except stripe.StripeError as exc:
                logger.warning(
                    "stripe call in %s failed (stripe request %s, status %s): %s",
                    view.__name__,
                    getattr(exc, "request_id", None) or "-",
                    getattr(exc, "http_status", None) or "-",
                    exc,
                )
                if isinstance(exc, stripe.CardError):
                    text = f"{exc.user_message or 'Your card was declined.'} Nothing was changed."
                else:
                    text = (
                        "We could not reach our payment provider just now. "
                        "Nothing was charged; please try again in a few minutes."
                    )
                messages.error(request, text)
                return redirect(_came_from(request, fallback))

        return wrapped

    return decorate


# --- catalog and checkout ------------------------------------------------------------


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
        messages.info(request, "You already have a subscription: change your plan here.")
        return redirect("billing:subscription")
    if settings.BILLING_TEST_CHECKOUT:
        return redirect("billing:test_checkout", price_id=price_id)
    if not stripe_gateway.is_configured():
        messages.info(request, "Purchases are not available yet. Please come back later.")
        return redirect("billing:pricing")
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "This page had expired. Please choose again.")
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


# --- wallet, ledger, coins --------------------------------------------------------------


def _keyset(request, entries):
    """Newest first, 25 at a time, keyed on the (indexed) ObjectId."""
    return keyset_page(entries, before=request.GET.get("before", ""), size=PAGE_SIZE)


@login_required
def wallet(request):
    user_wallet = wallet_for(request.user)
    plan = Plan.objects.filter(code=user_wallet.plan_code).one()
    recent = list(LedgerEntry.objects.filter(user_id=request.user.pk).order_by("-pk")[:5])
    return render(
        request,
        "billing/wallet.html",
        {
            "wallet": user_wallet,
            "plan": plan,
            "recent": recent,
            "subscription": Subscription.objects.filter(user_id=request.user.pk).one(),
        },
    )


@login_required
def ledger(request):
    wallet_for(request.user)
    form = LedgerFilterForm(request.GET or None, models=ledger_models(request.user))
    chosen = form.cleaned_data if form.is_valid() else {}
    entry_type, usage, model = (chosen.get(name, "") for name in ("type", "usage", "model"))
    entries = ledger_for(request.user, entry_type=entry_type, usage_kind=usage, ai_model=model)
    page, next_cursor = _keyset(request, entries)
    return render(
        request,
        "billing/ledger.html",
        {
            "entries": page,
            "next_cursor": next_cursor,
            "form": form,
            "entry_type": entry_type,
            "usage": usage,
            "model": model,
        },
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def ledger_csv(request):
    entries = LedgerEntry.objects.filter(user_id=request.user.pk).order_by("pk")
    entry_type = request.GET.get("type", "")
    if entry_type in LedgerEntry.Type.values:
        entries = entries.filter(entry_type=entry_type)
    writer = csv.writer(_Echo())
    header = [
        "created_at",
        "type",
        "currency",
        "bucket",
        "amount",
        "allowance_after",
        "purchased_after",
        "coins_after",
        "description",
        "related_type",
        "related_id",
        "idempotency_key",
    ]

    def rows():
        yield writer.writerow(header)
        for e in entries.iterator():
            yield writer.writerow(
                [
                    e.created_at.isoformat(),
                    e.entry_type,
                    e.currency,
                    e.bucket,
                    e.amount,
                    e.allowance_after,
                    e.purchased_after,
                    e.coins_after,
                    e.description,
                    e.related_type,
                    e.related_id,
                    e.idempotency_key,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="ledger.csv"'
    return response


@login_required
def coins(request):
    user_wallet = wallet_for(request.user)
    entries = LedgerEntry.objects.filter(user_id=request.user.pk, currency=LedgerEntry.Currency.COINS)
    page, next_cursor = _keyset(request, entries)
    today_key = f"coins:daily:{request.user.pk}:{timezone.now().date().isoformat()}"
    return render(
        request,
        "billing/coins.html",
        {
            "wallet": user_wallet,
            "entries": page,
            "next_cursor": next_cursor,
            "form": GiftCoinsForm(sender=request.user),
            "claimed_today": LedgerEntry.objects.filter(idempotency_key=today_key).exists(),
            "daily_bonus": settings.BILLING_DAILY_BONUS_COINS,
        },
    )


@login_required
@require_POST
def coins_daily(request):
    _, created = coins_daily_bonus(user=request.user)
    if created:
        messages.success(
            request, f"You claimed {settings.BILLING_DAILY_BONUS_COINS} coins. Come back tomorrow!"
        )
    else:
        messages.info(request, "You already claimed today's bonus.")
    return redirect("billing:coins")


@login_required
def coins_gift(request):
    form = GiftCoinsForm(request.POST or None, sender=request.user)
    if request.method == "POST" and form.is_valid():
        recipient, amount = form.cleaned_data["recipient"], form.cleaned_data["amount"]
        try:
            coins_transfer(
                sender=request.user,
                recipient=recipient,
                amount=amount,
                idempotency_key=f"gift:{request.user.pk}:{form.cleaned_data['token']}",
            )
        except BillingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Sent {amount} coins to {recipient.username}.")
            return redirect("billing:coins")
    user_wallet = wallet_for(request.user)
    return render(request, "billing/coins_gift.html", {"form": form, "wallet": user_wallet})


@login_required
def coins_tip(request, post_id):
    """Tip a post's author from the post page; a post the tipper can't see is a 404."""
    post = post_for_viewer(request.user, post_id)
    form = TipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["amount"]
        try:
            coins_tip_send(
                sender=request.user, post=post, amount=amount, idempotency_key=form.cleaned_data["token"]
            )
        except BillingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"You tipped {post.author.username} {amount} coins. Thank you!")
            return redirect(post.get_absolute_url())
    return render(
        request, "billing/coins_tip.html", {"form": form, "post": post, "wallet": wallet_for(request.user)}
    )


# --- invoices and subscription ------------------------------------------------------------


@login_required
def invoices(request):
    rows = Invoice.objects.filter(user_id=request.user.pk).order_by("-pk")
    page, next_cursor = _keyset(request, rows)
    # The packages of all listed payments in one query, not one per row.
    payments = list(
        Payment.objects.filter(user_id=request.user.pk).order_by("-pk").prefetch_related("package")[:50]
    )
    return render(
        request,
        "billing/invoices.html",
        {
            "invoices": page,
            "next_cursor": next_cursor,
            "payments": payments,
        },
    )


@login_required
def invoice(request, invoice_id: str):
    """One of the user's invoices, rendered here (test-mode invoices have no Stripe copy)."""
    row = Invoice.objects.filter(
        pk=object_id_or_404(invoice_id, "No such invoice."), user_id=request.user.pk
    ).one()
    if row is None:
        raise Http404("No such invoice.")
    return render(request, "billing/invoice.html", {"invoice": row})


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
    messages.success(request, f"Your plan is changing to {plan.name}; the difference is prorated.")
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
        "Your subscription will end at the period end." if cancel else "Your subscription will renew.",
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


# --- staff ------------------------------------------------------------------------------------


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
            messages.success(request, f"Adjusted {user.username}'s {form.cleaned_data['bucket']}.")
            return redirect("billing:staff_adjust")
    return render(request, "billing/staff_adjust.html", {"form": form})
