"""Applying Stripe invoices to our state: the invoice record and its lines, and a paid
subscription invoice renewing the allowance for its period.

Idempotent like every Stripe handler (:func:`billing.services.stripe_data.run_idempotent`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_noop

from billing.exceptions import PermanentEventError
from billing.models import Invoice, InvoiceLine, LedgerEntry, Package, Payment, Subscription
from billing.selectors import plan_for_price
from billing.services.ledger import Change, _wallet_in_txn, apply_changes, transact
from billing.services.quotas import allowance_changes, reset_key
from billing.services.stripe_data import (
    named_user_id,
    run_idempotent,
    stripe_time,
    user_named,
    with_wallet_of,
)
from modelsnapper.sentences import Sentence

Type = LedgerEntry.Type


# --- invoices ---------------------------------------------------------------------


def _invoice_subscription_id(inv: dict) -> str:
    sub = inv.get("subscription")
    if not sub:
        details = ((inv.get("parent") or {}).get("subscription_details")) or {}
        sub = details.get("subscription")
    if isinstance(sub, dict):
        sub = sub.get("id")
    return sub or ""


def _invoice_metadata(inv: dict) -> tuple[dict, ...]:
    """The metadata an invoice may name its user in, in the order they are trusted."""
    details = ((inv.get("parent") or {}).get("subscription_details")) or {}
    return (
        inv.get("metadata") or {},
        details.get("metadata") or {},
        inv.get("subscription_details", {}).get("metadata") or {} if inv.get("subscription_details") else {},
    )


def _invoice_named_user_id(inv: dict) -> Any:
    """The first user id the invoice's metadata names, not looked up (None if none parses)."""
    return next((pk for meta in _invoice_metadata(inv) if (pk := named_user_id(meta.get("user_id")))), None)


def _invoice_user(inv: dict) -> Any:
    for meta in _invoice_metadata(inv):
        user = user_named(meta.get("user_id"))
        if user:
            return user
    sub_id = _invoice_subscription_id(inv)
    if sub_id:
        row = Subscription.objects.filter(stripe_subscription_id=sub_id).one()
        if row:
            return row.user
    if inv.get("customer"):
        row = Subscription.objects.filter(stripe_customer_id=inv["customer"]).one()
        if row:
            return row.user
    return None


def _is_one_off(inv: dict) -> bool:
    """Issued by a package's Checkout Session (``invoice_creation``), not by a subscription.

    Such an invoice is the receipt of the session's payment, which checkout_fulfil records
    (with its credits): the invoice adds the document, never a second payment.
    """
    if _invoice_subscription_id(inv):
        return False
    prices = [_line_price(line) for line in ((inv.get("lines") or {}).get("data")) or []]
    return bool(prices) and Package.objects.filter(stripe_price_id__in=prices).exists()


def _line_price(line: dict) -> str:
    price = line.get("price")
    if isinstance(price, dict):
        return price.get("id", "")
    pricing = (line.get("pricing") or {}).get("price_details") or {}
    return pricing.get("price", "") or ""


def _invoice_fields(inv: dict, status: str) -> dict:
    lines = ((inv.get("lines") or {}).get("data")) or []
    return dict(
        number=inv.get("number") or "",
        amount_due=inv.get("amount_due") or 0,
        amount_paid=inv.get("amount_paid") or 0,
        currency=(inv.get("currency") or "usd").lower(),
        status=status,
        pdf_url=inv.get("invoice_pdf") or "",
        hosted_invoice_url=inv.get("hosted_invoice_url") or "",
        stripe_subscription_id=_invoice_subscription_id(inv),
        period_start=stripe_time(inv.get("period_start")),
        period_end=stripe_time(inv.get("period_end")),
        line_items=[
            InvoiceLine(
                description=(line.get("description") or "")[:300],
                amount_cents=line.get("amount") or 0,
                quantity=line.get("quantity") or 1,
                price_id=_line_price(line),
                period_start=stripe_time((line.get("period") or {}).get("start")),
                period_end=stripe_time((line.get("period") or {}).get("end")),
            )
            for line in lines
        ],
    )


def _invoice_upsert(
    user_id: Any, inv: dict, status: str, paid_at: datetime | None = None, *, look: bool = True
) -> tuple[Invoice, bool]:
    """The invoice record, written or brought up to date; the second value says it is new.

    ``look=False`` inserts without looking first (the unique invoice id refuses a second one).
    """
    fields = _invoice_fields(inv, status)
    if paid_at:
        fields["paid_at"] = paid_at
    row = Invoice.objects.filter(stripe_invoice_id=inv["id"]).one() if look else None
    if row is None:
        return Invoice.objects.create(user_id=user_id, stripe_invoice_id=inv["id"], **fields), True
    if row.status == Invoice.Status.PAID and status != Invoice.Status.PAID:
        return row, False  # paid is final; a late failure notice does not undo it
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row, False


def invoice_paid(inv: dict) -> str:
    """Record the invoice and payment; grant the plan's allowance for the new period."""
    lines = ((inv.get("lines") or {}).get("data")) or []
    plan_line, found = next(
        ((line, plan) for line in lines if (plan := plan_for_price(_line_price(line)))), (None, None)
    )
    period = (plan_line or {}).get("period") or {}
    start = stripe_time(period.get("start") or inv.get("period_start"))
    end = stripe_time(period.get("end") or inv.get("period_end"))
    paid_at = stripe_time((inv.get("status_transitions") or {}).get("paid_at")) or timezone.now()
    records_payment = not _is_one_off(inv)

    def txn(user_id: Any, look: bool) -> str:
        # First try (the usual case: a new invoice opening a new period): insert the invoice, its
        # payment and the period's entries without looking; the unique invoice id, payment
        # external id and ledger keys refuse them if anything was recorded, and the rerun looks.
        invoice, new = _invoice_upsert(user_id, inv, Invoice.Status.PAID, paid_at, look=look)
        # The invoice's payment is written only here, with its invoice record: a new record
        # has none yet, so only an existing one needs the look.
        if (
            records_payment
            and (inv.get("amount_paid") or 0) > 0
            and (new or not Payment.objects.filter(external_id=inv["id"]).exists())
        ):
            Payment.objects.create(
                user_id=user_id,
                external_id=inv["id"],
                status=Payment.Status.COMPLETED,
                amount_cents=inv["amount_paid"],
                currency=(inv.get("currency") or "usd").lower(),
                plan_code=found[0].code if found else "",
                completed_at=paid_at,
                stripe_payment_intent_id=inv.get("payment_intent") or "",
                transaction_id=inv.get("charge") or inv.get("payment_intent") or inv["id"],
                livemode=bool(inv.get("livemode")),
            )
        if not found or start is None:
            return "recorded"
        plan = found[0]
        key = reset_key(user_id, start)
        existing = LedgerEntry.objects.filter(idempotency_key=key).one() if look else None
        wallet = _wallet_in_txn(user_id)
        if existing is None:
            changes = allowance_changes(
                wallet,
                plan=plan,
                period_start=start,
                entry_type=Type.SUBSCRIPTION_GRANT,
                description=Sentence(
                    gettext_noop("%(plan)s allowance, invoice %(invoice)s"),
                    {"plan": plan.name, "invoice": invoice.number or inv["id"]},
                ),
                related=("billing.invoice", invoice.pk),
            )
        else:
            # The period was already started (by reset_quotas, or a smaller plan):
            # top up to this plan's quota once.
            top_up = plan.credits_per_period - existing.allowance_delta
            topup_key = f"topup:{user_id}:{key.rsplit(':', 1)[1]}:{plan.code}"
            changes = []
            if top_up > 0 and not LedgerEntry.objects.filter(idempotency_key=topup_key).exists():
                changes = [
                    Change(
                        Type.SUBSCRIPTION_GRANT,
                        topup_key,
                        allowance=top_up,
                        description=Sentence(gettext_noop("%(plan)s allowance top-up"), {"plan": plan.name}),
                        related=("billing.invoice", invoice.pk),
                    )
                ]
        apply_changes(wallet, changes, plan_code=plan.code, period_start=start, period_end=end)
        return "granted" if changes else "recorded"

    def record(user_id: Any) -> str:
        try:
            return transact(lambda: txn(user_id, look=False))
        except IntegrityError:
            return run_idempotent(lambda: txn(user_id, look=True))

    # Only a grant reads the wallet, which proves the named user: an invoice that grants
    # nothing looks its user up first.
    grants = found is not None and start is not None
    return with_wallet_of(
        _invoice_named_user_id(inv) if grants else None,
        record,
        find_user=lambda: _invoice_user(inv),
        what=f"invoice {inv.get('id')}",
    )


def invoice_payment_failed(inv: dict) -> str:
    user = _invoice_user(inv)
    if user is None:
        raise PermanentEventError(f"invoice {inv.get('id')}: unknown user")

    def txn() -> str:
        _invoice_upsert(user.pk, inv, Invoice.Status.OPEN)
        return "recorded"

    return run_idempotent(txn)
