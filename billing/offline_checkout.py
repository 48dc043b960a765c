"""Offline test mode: Stripe-format events, signed and posted to our real webhook.

Only used when no Stripe key is configured. Each helper builds the objects
Stripe would send (Checkout Session, Subscription, Invoice), wraps them in an
event, signs the exact body with ``STRIPE_WEBHOOK_SECRET`` and hands it to the
webhook view through URL resolution, so signature checking, event recording
and fulfilment all run exactly as for Stripe.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

import stripe
from django.conf import settings
from django.http import HttpRequest
from django.urls import resolve, reverse

from billing.models import OFFLINE_ID_MARK, Package, Plan, Subscription
from billing.selectors import checkout_customer_id
from billing.services.webhooks import event_build


def _id(prefix: str) -> str:
    return f"{prefix}{OFFLINE_ID_MARK}{uuid.uuid4().hex[:24]}"


def post_event(event: dict) -> int:
    """Sign ``event`` and deliver it to the webhook view; returns the HTTP status."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, settings.STRIPE_WEBHOOK_SECRET)
    path = reverse("billing:stripe_webhook")
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = path
    request._body = payload.encode()
    request.META.update(
        {
            "CONTENT_TYPE": "application/json",
            "HTTP_STRIPE_SIGNATURE": header,
            "SERVER_NAME": "testmode.local",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "127.0.0.1",
        }
    )
    response = resolve(path).func(request)
    return response.status_code


def checkout_session(
    *,
    user: Any,
    price_id: str,
    mode: str,
    amount: int,
    currency: str,
    payment_status: str = "paid",
    session_id: str | None = None,
    subscription_id: str = "",
    customer_id: str = "",
) -> dict:
    return {
        "id": session_id or _id("cs"),
        "object": "checkout.session",
        "mode": mode,
        "status": "complete",
        "payment_status": payment_status,
        "amount_total": amount,
        "currency": currency,
        "client_reference_id": str(user.pk),
        "customer": customer_id or None,
        "customer_email": user.email,
        "metadata": {"price_id": price_id, "user_id": str(user.pk)},
        "payment_intent": _id("pi") if mode == "payment" else None,
        "subscription": subscription_id or None,
        "livemode": False,
    }


def session_id_for(*, user: Any, token: str) -> str:
    """The session one submission of the test checkout opens, as Stripe's idempotency would."""
    digest = hashlib.sha256(f"{user.pk}:{token}".encode()).hexdigest()
    return f"cs{OFFLINE_ID_MARK}{digest[:24]}"


def package_checkout(*, user: Any, package: Package, outcome: str = "paid", token: str | None = None) -> str:
    """Run a package purchase through the webhook; returns the session id.

    With the form's ``token``, the same submission sent twice is the same
    session, so its second fulfilment finds the first one's ledger key.
    """
    delayed = outcome in ("async_success", "async_failure")
    # As with Stripe's invoice_creation: the purchase has a customer and, once paid, an invoice.
    subscription = Subscription.objects.filter(user_id=user.pk).first()
    customer_id = checkout_customer_id(user, subscription) or _id("cus")
    session = checkout_session(
        user=user,
        price_id=package.stripe_price_id,
        mode="payment",
        amount=package.price_cents,
        currency=package.currency,
        payment_status="unpaid" if delayed else "paid",
        session_id=session_id_for(user=user, token=token) if token else None,
        customer_id=customer_id,
    )
    post_event(event_build("checkout.session.completed", session))
    if outcome == "async_success":
        post_event(
            event_build("checkout.session.async_payment_succeeded", {**session, "payment_status": "paid"})
        )
    elif outcome == "async_failure":
        post_event(event_build("checkout.session.async_payment_failed", session))
    if outcome in ("paid", "async_success"):
        post_event(event_build("invoice.paid", package_invoice_object(session=session, package=package)))
    return session["id"]


def package_invoice_object(*, session: dict, package: Package) -> dict:
    """The invoice Stripe issues for a paid package session (no subscription, one package line).

    Its id follows the session's, so a resubmitted test checkout issues the same invoice.
    """
    invoice_id = "in" + session["id"][2:]
    now = int(time.time())
    return {
        "id": invoice_id,
        "object": "invoice",
        "number": f"TEST-{invoice_id[-8:].upper()}",
        "customer": session["customer"],
        "parent": None,
        "status": "paid",
        "amount_due": package.price_cents,
        "amount_paid": package.price_cents,
        "currency": package.currency,
        "invoice_pdf": None,
        "hosted_invoice_url": None,
        "period_start": now,
        "period_end": now,
        "status_transitions": {"paid_at": now},
        "metadata": session["metadata"],
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": _id("il"),
                    "object": "line_item",
                    "amount": package.price_cents,
                    "quantity": 1,
                    "description": f"1 × {package.name}",
                    "pricing": {"price_details": {"price": package.stripe_price_id}},
                    "period": {"start": now, "end": now},
                }
            ],
        },
    }


def subscription_object(
    *,
    user: Any,
    plan: Plan,
    interval: str,
    subscription_id: str,
    customer_id: str,
    status: str = "active",
    cancel_at_period_end: bool = False,
    period_start: int | None = None,
) -> dict:
    start = period_start or int(time.time())
    end = start + (365 if interval == "year" else 30) * 86400
    price_id = plan.price_id_for(interval)
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer_id,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "trial_start": None,
        "trial_end": None,
        "metadata": {"user_id": str(user.pk), "price_id": price_id},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": _id("si"),
                    "object": "subscription_item",
                    "quantity": 1,
                    "price": {
                        "id": price_id,
                        "object": "price",
                        "unit_amount": plan.price_cents_for(interval),
                        "currency": plan.currency,
                        "recurring": {"interval": interval},
                    },
                    "current_period_start": start,
                    "current_period_end": end,
                }
            ],
        },
        "current_period_start": start,
        "current_period_end": end,
    }


def invoice_object(
    *,
    user: Any,
    plan: Plan,
    interval: str,
    subscription_id: str,
    customer_id: str,
    period_start: int,
    period_end: int,
) -> dict:
    invoice_id = _id("in")
    amount = plan.price_cents_for(interval)
    return {
        "id": invoice_id,
        "object": "invoice",
        "number": f"TEST-{invoice_id[-8:].upper()}",
        "customer": customer_id,
        "subscription": subscription_id,
        "status": "paid",
        "amount_due": amount,
        "amount_paid": amount,
        "currency": plan.currency,
        # Stripe has no copy of an offline invoice: the invoices page links to our own rendering.
        "invoice_pdf": None,
        "hosted_invoice_url": None,
        "period_start": period_start,
        "period_end": period_start,
        "status_transitions": {"paid_at": int(time.time())},
        "metadata": {"user_id": str(user.pk)},
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": _id("il"),
                    "object": "line_item",
                    "amount": amount,
                    "quantity": 1,
                    "description": f"1 × {plan.name} ({interval}ly)",
                    "price": {"id": plan.price_id_for(interval)},
                    "period": {"start": period_start, "end": period_end},
                }
            ],
        },
    }


def plan_checkout(*, user: Any, plan: Plan, interval: str) -> str:
    """Start a subscription the way Stripe reports it: session, subscription, first invoice."""
    subscription_id, customer_id = _id("sub"), _id("cus")
    existing = Subscription.objects.filter(user_id=user.pk).first()
    if existing and existing.stripe_customer_id:
        customer_id = existing.stripe_customer_id
    session = checkout_session(
        user=user,
        price_id=plan.price_id_for(interval),
        mode="subscription",
        amount=plan.price_cents_for(interval),
        currency=plan.currency,
        subscription_id=subscription_id,
        customer_id=customer_id,
    )
    post_event(event_build("checkout.session.completed", session))
    sub = subscription_object(
        user=user, plan=plan, interval=interval, subscription_id=subscription_id, customer_id=customer_id
    )
    post_event(event_build("customer.subscription.created", sub))
    post_event(
        event_build(
            "invoice.paid",
            invoice_object(
                user=user,
                plan=plan,
                interval=interval,
                subscription_id=subscription_id,
                customer_id=customer_id,
                period_start=sub["current_period_start"],
                period_end=sub["current_period_end"],
            ),
        )
    )
    return session["id"]


def subscription_update(
    *,
    subscription: Subscription,
    plan: Plan | None = None,
    interval: str | None = None,
    cancel_at_period_end: bool | None = None,
) -> int:
    """Report a plan change or a cancel/resume as customer.subscription.updated."""
    plan = plan or Plan.objects.get(code=subscription.tier)
    interval = interval or subscription.interval
    start = int(subscription.current_period_start.timestamp()) if subscription.current_period_start else None
    sub = subscription_object(
        user=subscription.user,
        plan=plan,
        interval=interval,
        subscription_id=subscription.stripe_subscription_id,
        customer_id=subscription.stripe_customer_id,
        status=subscription.status,
        cancel_at_period_end=subscription.cancel_at_period_end
        if cancel_at_period_end is None
        else cancel_at_period_end,
        period_start=start,
    )
    # Strictly newer than the state we hold, as a real update would be.
    created = max(int(time.time()), subscription.last_event_created + 1)
    return post_event(event_build("customer.subscription.updated", sub, created=created))
