"""Stripe events for webhook tests, replayed from recorded payload files.

``billing/tests/payloads/*.json`` hold whole events as Stripe sends them (shapes taken from
Stripe's published example objects, ``stripe/openapi`` ``fixtures3.json``), in two API
shapes where the shape matters to us:

- ``2024-06-20`` (``OLDER``): the period on the subscription (``current_period_*``), the
  invoice's subscription at ``invoice.subscription``, a line's price as a ``price`` object;
- ``2026-10-28`` (``CURRENT``): the period on the subscription items, the invoice's
  subscription under ``parent.subscription_details``, a line's price under
  ``pricing.price_details.price``.

A charge embedded its refunds until 2022-11-15 (``charge.refunded.2022-08-01``); later ones
do not (``charge.refunded.2026-10-28``).

The helpers load a file, fill in what the test needs (the buyer, the price, amounts, ids)
and return plain dicts; the test signs the JSON body itself (``stripe_post`` in billing's
conftest) and posts it to the real webhook URL. Nothing here is built by product code.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parents[2] / "billing" / "tests" / "payloads"
OLDER = "2024-06-20"
CURRENT = "2026-10-28"
SHAPES = (OLDER, CURRENT)
CHARGE_WITH_REFUNDS = "2022-08-01"
DAY = 86400


@cache
def _file(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def recorded(name: str) -> dict:
    """A fresh copy of the recorded event ``billing/tests/payloads/<name>.json``."""
    return copy.deepcopy(_file(name))


def _fresh(prefix: str) -> str:
    return f"{prefix}_test_{uuid.uuid4().hex[:24]}"


def stripe_event(
    event_type: str,
    obj: dict,
    *,
    api_version: str = CURRENT,
    event_id: str | None = None,
    created: int | None = None,
) -> dict:
    """``obj`` in the envelope of the recorded ``event_type`` event (of ``api_version`` where the
    shape differs), with a new event id and the current time unless given.

    Types we keep no recording of (those we answer 200 to without a record, the async
    checkout outcomes) borrow the envelope of the recorded checkout event."""
    for name in (f"{event_type}.{api_version}", event_type, "checkout.session.completed.payment"):
        if (PAYLOADS / f"{name}.json").exists():
            envelope = recorded(name)
            break
    envelope.pop("data")
    return {
        **envelope,
        "id": event_id or _fresh("evt"),
        "type": event_type,
        "api_version": api_version,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
    }


def checkout_session(
    *, user: Any, price_id: str, amount: int, mode: str = "payment", **overrides: Any
) -> dict:
    """The recorded Checkout Session of ``checkout.session.completed``, bought by ``user``: paid,
    ``amount`` cents, for ``price_id``, with new session and payment-intent ids."""
    session = recorded(f"checkout.session.completed.{mode}")["data"]["object"]
    session.update(
        id=_fresh("cs"),
        client_reference_id=str(user.pk),
        customer_email=user.email,
        metadata={"price_id": price_id, "user_id": str(user.pk)},
        amount_subtotal=amount,
        amount_total=amount,
        payment_intent=_fresh("pi") if mode == "payment" else None,
    )
    session.update(overrides)
    return session


def package_session(user: Any, package: Any, **overrides: Any) -> dict:
    """A paid Checkout Session in which ``user`` bought ``package`` (a ``billing.Package``)."""
    return checkout_session(
        user=user, price_id=package.stripe_price_id, amount=package.price_cents, **overrides
    )


def subscription(
    *,
    user: Any,
    price_id: str,
    interval: str = "month",
    subscription_id: str = "sub_1",
    customer_id: str = "cus_1",
    api_version: str = CURRENT,
    event_type: str = "customer.subscription.created",
    **overrides: Any,
) -> dict:
    """The recorded subscription of ``event_type`` in ``api_version``'s shape, for ``user`` on
    ``price_id``, its current period starting now (30 days, or 365 for a yearly price)."""
    sub = recorded(f"{event_type}.{api_version}")["data"]["object"]
    start = int(time.time())
    end = start + (365 if interval == "year" else 30) * DAY
    item = sub["items"]["data"][0]
    item["price"].update(id=price_id)
    item["price"]["recurring"]["interval"] = interval
    item["subscription"] = subscription_id
    # The one field whose place changed between the shapes: only the recorded place is filled.
    period_holder = sub if "current_period_end" in sub else item
    period_holder.update(current_period_start=start, current_period_end=end)
    if "plan" in item:
        item["plan"].update(id=price_id, interval=interval)
        sub["plan"] = copy.deepcopy(item["plan"])
    sub.update(
        id=subscription_id,
        customer=customer_id,
        metadata={"user_id": str(user.pk), "price_id": price_id},
    )
    sub.update(overrides)
    return sub


def period_of(sub: dict) -> tuple[int, int]:
    """A subscription's current period, wherever its API shape keeps it."""
    holder = sub if "current_period_end" in sub else sub["items"]["data"][0]
    return holder["current_period_start"], holder["current_period_end"]


def invoice(
    *,
    user: Any,
    price_id: str,
    amount: int,
    subscription_id: str,
    customer_id: str,
    period: tuple[int, int],
    api_version: str = CURRENT,
    event_type: str = "invoice.paid",
    **overrides: Any,
) -> dict:
    """The recorded invoice of ``event_type`` in ``api_version``'s shape: ``user``'s, for one
    line of ``price_id`` over ``period``, ``amount`` cents (paid unless the event says not)."""
    inv = recorded(f"{event_type}.{api_version}")["data"]["object"]
    start, end = period
    paid = inv["status"] == "paid"
    line = inv["lines"]["data"][0]
    line.update(amount=amount, period={"start": start, "end": end})
    if "pricing" in line:
        line["pricing"]["price_details"]["price"] = price_id
        line["parent"]["subscription_item_details"]["subscription"] = subscription_id
    else:
        line["price"].update(id=price_id, unit_amount=amount)
        line["plan"].update(id=price_id, amount=amount)
        line["subscription"] = subscription_id
    metadata = {"user_id": str(user.pk), "price_id": price_id}
    if "parent" in inv:
        inv["parent"]["subscription_details"].update(subscription=subscription_id, metadata=metadata)
    else:
        inv["subscription"] = subscription_id
        inv["subscription_details"] = {"metadata": metadata}
    invoice_id = _fresh("in")
    inv["lines"]["url"] = f"/v1/invoices/{invoice_id}/lines"
    inv.update(
        id=invoice_id,
        customer=customer_id,
        customer_email=user.email,
        amount_due=amount,
        amount_paid=amount if paid else 0,
        amount_remaining=0 if paid else amount,
        subtotal=amount,
        total=amount,
        period_start=start,
        period_end=start,
    )
    inv["status_transitions"]["paid_at"] = int(time.time()) if paid else None
    inv.update(overrides)
    return inv


def refunded_charge(
    *,
    payment_intent: str,
    amount: int,
    refunds: list[tuple[str, int]],
    charge_id: str = "ch_1",
    api_version: str = CHARGE_WITH_REFUNDS,
) -> dict:
    """The recorded charge of ``charge.refunded``: ``amount`` cents paid through
    ``payment_intent``, refunded by ``refunds`` (id, cents) so far, embedded as the API
    versions before 2022-11-15 sent them (later versions send only the refunded total)."""
    charge = recorded(f"charge.refunded.{api_version}")["data"]["object"]
    refunded = sum(cents for _, cents in refunds)
    charge.update(
        id=charge_id,
        payment_intent=payment_intent,
        amount=amount,
        amount_captured=amount,
        amount_refunded=refunded,
        refunded=refunded >= amount,
    )
    if "refunds" in charge:
        template = charge["refunds"]["data"][0]
        charge["refunds"].update(
            data=[
                {
                    **template,
                    "id": rid,
                    "amount": cents,
                    "charge": charge_id,
                    "payment_intent": payment_intent,
                }
                for rid, cents in refunds
            ],
            total_count=len(refunds),
            url=f"/v1/charges/{charge_id}/refunds",
        )
    return charge


def refund_event(session: dict, refunds: list[tuple[str, int]], **event_options: Any) -> dict:
    """``charge.refunded`` for the payment of Checkout ``session``: every refund so far, embedded."""
    charge = refunded_charge(
        payment_intent=session["payment_intent"],
        amount=session["amount_total"],
        refunds=refunds,
        charge_id=f"ch_{session['payment_intent'].split('_', 1)[1]}",
    )
    return stripe_event("charge.refunded", charge, api_version=CHARGE_WITH_REFUNDS, **event_options)


def buy_package(user: Any, package: Any, post: Any) -> dict:
    """``user`` buys ``package``: its completed Checkout Session is posted through ``post`` (the
    signing ``stripe_post`` fixture) and must be answered 200; returns the session."""
    session = package_session(user, package)
    assert post(stripe_event("checkout.session.completed", session)).status_code == 200
    return session
