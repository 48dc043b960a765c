"""The Stripe webhook: verify, record once, apply, answer.

Order matters: the signature is checked on the raw body, unhandled types get
200 without a write, every handled event id is recorded under a unique index
*before* any effect, then applied. Effects are idempotent (ledger keys derived
from Stripe ids), so a redelivered or concurrent duplicate changes nothing and
still answers 200. A handler error rolls its transaction back, is stored on the
event, and answers 500 so Stripe retries (a database error while finding the
user included); an event that can never apply (no such user or price, an
object without an id) is stored as failed with its reason and answered 200.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import stripe
from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from billing.exceptions import PermanentEventError
from billing.models import StripeEvent
from billing.services import invoices, payments, subscriptions

logger = logging.getLogger(__name__)


def _session_completed(obj: dict, event: dict) -> str:
    return payments.checkout_fulfil(obj)


def _subscription(obj: dict, event: dict) -> str:
    return subscriptions.subscription_sync(
        obj, event_type=event["type"], event_created=int(event.get("created") or 0)
    )


HANDLERS: dict[str, Callable[[dict, dict], str]] = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _session_completed,
    "checkout.session.async_payment_failed": lambda obj, event: payments.checkout_failed(obj),
    "invoice.paid": lambda obj, event: invoices.invoice_paid(obj),
    "invoice.payment_failed": lambda obj, event: invoices.invoice_payment_failed(obj),
    "customer.subscription.created": _subscription,
    "customer.subscription.updated": _subscription,
    "customer.subscription.deleted": _subscription,
    "charge.refunded": lambda obj, event: payments.charge_refunded(obj),
}


@dataclass
class WebhookResult:
    status_code: int
    message: str


def webhook_receive(*, payload: bytes, signature: str | None) -> WebhookResult:
    """Everything the webhook view does, minus HTTP."""
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE
        )
        event = json.loads(text)
        event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        logger.warning("stripe webhook rejected: %s", exc)
        return WebhookResult(400, "invalid payload or signature")
    if not isinstance(obj, dict) or not isinstance(event_id, str):
        return WebhookResult(400, "invalid payload")
    if event_type not in HANDLERS:
        return WebhookResult(200, "ignored")
    record, created = event_record(event)
    if record.status == StripeEvent.Status.PROCESSED:
        return WebhookResult(200, "duplicate")
    # A new record already counts this delivery's attempt (stored with it, no second write);
    # a redelivery of an unprocessed event counts it now.
    outcome = _event_apply(record) if created else event_process(event_pk=record.pk)
    if outcome == "error":
        return WebhookResult(500, "failed; will retry")
    return WebhookResult(200, outcome)


def event_record(event: dict) -> tuple[StripeEvent, bool]:
    """Store the event once (unique event id), counting the attempt this delivery is about to
    make; a duplicate returns the stored row. The second value says whether it was new."""
    try:
        record = StripeEvent.objects.create(
            event_id=event["id"],
            type=event["type"],
            payload=event,
            livemode=bool(event.get("livemode")),
            stripe_created=int(event.get("created") or 0),
            attempts=1,
        )
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event["id"]), False
    return record, True


def _object_of(record: StripeEvent) -> dict:
    """The event's object, checked for what every handler keys on: its Stripe id.

    A signed event that lacks it can never apply, however often Stripe
    redelivers it: a permanent failure, stored with its reason.
    """
    obj = record.payload["data"]["object"]
    if not isinstance(obj.get("id"), str) or not obj["id"]:
        raise PermanentEventError(f"malformed {record.type} event: its object has no id")
    return obj


def event_process(*, event_pk) -> str:
    """Apply a recorded event again (a redelivery, a retry task, staff); returns its outcome,
    or "error" if a retry may succeed."""
    record = StripeEvent.objects.get(pk=event_pk)
    StripeEvent.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
    return _event_apply(record)


def _event_apply(record: StripeEvent) -> str:
    """Run the handler of ``record`` (its attempt already counted) and store the outcome."""
    handler = HANDLERS.get(record.type)
    if handler is None:
        StripeEvent.objects.filter(pk=record.pk).update(status=StripeEvent.Status.IGNORED)
        return "ignored"
    try:
        outcome = handler(_object_of(record), record.payload)
    except PermanentEventError as exc:
        logger.error("stripe event %s cannot be applied: %s", record.event_id, exc)
        StripeEvent.objects.filter(pk=record.pk).update(status=StripeEvent.Status.FAILED, error=str(exc))
        return "failed"
    except Exception:
        logger.exception("stripe event %s failed", record.event_id)
        StripeEvent.objects.filter(pk=record.pk).exclude(status=StripeEvent.Status.PROCESSED).update(
            status=StripeEvent.Status.FAILED, error=traceback.format_exc()[-4000:]
        )
        return "error"
    StripeEvent.objects.filter(pk=record.pk).update(
        status=StripeEvent.Status.PROCESSED, processed_at=timezone.now(), error=""
    )
    return outcome


def event_build(
    event_type: str, obj: dict, *, event_id: str | None = None, created: int | None = None
) -> dict:
    """A Stripe-format event envelope (the offline test checkout and tests use it)."""
    import time
    import uuid

    return {
        "id": event_id or f"evt_test_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2026-10-28",
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
