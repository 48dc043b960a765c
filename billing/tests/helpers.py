"""Billing test helpers: recorded Stripe objects for one-off purchases (``payloads/``).

Only shapes Stripe sends; the tests sign the events themselves (``stripe_post``).
"""

import json
import time
import uuid
from pathlib import Path

PAYLOADS = Path(__file__).resolve().parent / "payloads"


def recorded_object(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())["data"]["object"]


def _id(prefix: str) -> str:
    # Not "_test_": that mark means the offline test checkout, whose invoices have no Stripe copy.
    return f"{prefix}_1{uuid.uuid4().hex[:22]}"


def paid_session(
    user, customer: str = "cus_1", price_id: str = "price_pack_starter", amount: int = 500
) -> dict:
    """The recorded paid payment-mode Checkout Session, bought by ``user`` as Stripe customer ``customer``."""
    session = recorded_object("checkout.session.completed.payment")
    session.update(
        id=_id("cs"),
        client_reference_id=str(user.pk),
        customer=customer,
        customer_email=user.email,
        metadata={"price_id": price_id, "user_id": str(user.pk)},
        amount_subtotal=amount,
        amount_total=amount,
        payment_intent=_id("pi"),
        invoice=_id("in"),
    )
    return session


def one_off_invoice(session: dict, *, description: str = "Starter pack") -> dict:
    """The invoice Stripe issues for ``session`` (``invoice_creation``): no subscription parent,
    one invoice-item line for the package's price, and the metadata the session asked for."""
    inv = recorded_object("invoice.paid.2026-10-28")
    now = int(time.time())
    amount = session["amount_total"]
    line = inv["lines"]["data"][0]
    line.update(
        amount=amount,
        subtotal=amount,
        description=description,
        invoice=session["invoice"],
        period={"start": now, "end": now},
        parent={
            "type": "invoice_item_details",
            "invoice_item_details": {
                "invoice_item": _id("ii"),
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": None,
            },
            "subscription_item_details": None,
        },
    )
    line["pricing"]["price_details"]["price"] = session["metadata"]["price_id"]
    inv["lines"]["url"] = f"/v1/invoices/{session['invoice']}/lines"
    inv.update(
        id=session["invoice"],
        number="MSNP1234-0042",
        billing_reason="manual",
        parent=None,
        customer=session["customer"],
        metadata=session["metadata"],
        amount_due=amount,
        amount_paid=amount,
        subtotal=amount,
        total=amount,
        period_start=now,
        period_end=now,
        hosted_invoice_url=f"https://invoice.stripe.com/i/acct_1SVz/{session['invoice']}",
        invoice_pdf=f"https://pay.stripe.com/invoice/acct_1SVz/{session['invoice']}/pdf",
    )
    inv["status_transitions"]["paid_at"] = now
    return inv
