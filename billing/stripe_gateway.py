"""Every call we make to Stripe's HTTP API, in one place.

Views call these; the webhook never does (it works from the event payload).
``STRIPE_API_BASE`` points the client at a local stub in tests.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2)


def as_dict(obj: Any) -> dict:
    """A Stripe object as plain JSON-like data (what a webhook payload carries)."""
    if isinstance(obj, dict) and not isinstance(obj, stripe.StripeObject):
        return obj
    return obj.to_dict()


def checkout_session_create(
    *,
    user: Any,
    price_id: str,
    mode: str,
    success_url: str,
    cancel_url: str,
    customer_id: str = "",
    trial_days: int = 0,
    idempotency_key: str | None = None,
) -> dict:
    """A Checkout Session carrying everything fulfilment needs (no call back to Stripe)."""
    metadata = {"price_id": price_id, "user_id": str(user.pk)}
    params: dict[str, Any] = {
        "mode": mode,
        "line_items": [{"price": price_id, "quantity": 1}],
        "client_reference_id": str(user.pk),
        "metadata": metadata,
        "success_url": success_url
        + ("&" if "?" in success_url else "?")
        + "session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": cancel_url,
    }
    if customer_id:
        params["customer"] = customer_id
    elif user.email:
        params["customer_email"] = user.email
    if mode == "subscription":
        params["subscription_data"] = {"metadata": metadata}
        if trial_days:
            params["subscription_data"]["trial_period_days"] = trial_days
    else:
        params["payment_intent_data"] = {"metadata": metadata}
        # A one-off purchase gets an invoice like a subscription period does (seed 001): Stripe
        # issues it after payment (invoice.paid) with the same metadata, so the webhook knows
        # whose it is. It also makes Stripe create a customer, which a business then keeps.
        params["invoice_creation"] = {"enabled": True, "invoice_data": {"metadata": metadata}}
    options = {"idempotency_key": idempotency_key} if idempotency_key else None
    return as_dict(client().v1.checkout.sessions.create(params=params, options=options))


def checkout_session_retrieve(session_id: str) -> dict:
    return as_dict(client().v1.checkout.sessions.retrieve(session_id))


def subscription_change_price(*, subscription_id: str, price_id: str) -> dict:
    """Switch plan now, prorating the difference on the next invoice."""
    current = client().v1.subscriptions.retrieve(subscription_id)
    item_id = current["items"]["data"][0]["id"]
    updated = client().v1.subscriptions.update(
        subscription_id,
        params={
            "items": [{"id": item_id, "price": price_id}],
            "proration_behavior": "create_prorations",
            "metadata": {"price_id": price_id},
        },
    )
    return as_dict(updated)


def subscription_set_cancel_at_period_end(*, subscription_id: str, cancel: bool) -> dict:
    updated = client().v1.subscriptions.update(subscription_id, params={"cancel_at_period_end": cancel})
    return as_dict(updated)


def portal_session_create(*, customer_id: str, return_url: str) -> str:
    session = client().v1.billing_portal.sessions.create(
        params={"customer": customer_id, "return_url": return_url}
    )
    return session["url"]
