"""Applying Stripe objects to our state: fulfilment, subscriptions, invoices, refunds.

Each function takes the Stripe object as plain data (from a webhook payload or
a retrieved Checkout Session), runs one transaction, and is idempotent: its
ledger keys are derived from Stripe ids (``stripe:checkout:<session>``,
``reset:<user>:<period>``, ``stripe:refund:<refund>``) and checked inside the
transaction, with the unique index as the backstop under races.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import BusinessProfile
from billing.exceptions import PermanentEventError
from billing.models import Invoice, InvoiceLine, LedgerEntry, Package, Payment, Plan, Subscription, Wallet
from billing.selectors import plan_for_price
from billing.services.ledger import Change, apply_changes, transact, wallet_for
from billing.services.quotas import allowance_changes, period_stamp, reset_key
from billing.services.royalties import royalty_clawback_for_refund
from modelsnapper.ids import parse_object_id

Type = LedgerEntry.Type
PAID_STATUSES = ("paid", "no_payment_required")
ACTIVE_STATUSES = (Subscription.Status.ACTIVE, Subscription.Status.TRIALING)


def checkout_key(session_id: str) -> str:
    return f"stripe:checkout:{session_id}"


def _ts(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _user(user_id: Any) -> Any:
    """The user ``user_id`` names, or None when it names nobody (a permanent failure).

    Only a missing or malformed id means "no such user". A database error
    propagates: the webhook then answers 5xx and Stripe retries, instead of a
    paid purchase being written off as "unknown user".
    """
    pk = parse_object_id(user_id) if user_id else None
    if pk is None:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def _idempotent(fn, *, reruns: int = 0) -> str:
    """Run ``fn`` in a transaction; a duplicate key means a concurrent twin won.

    With ``reruns``, a duplicate key runs ``fn`` again in a fresh transaction
    instead: for blocks that also write keys another flow owns (a refund's
    royalty clawbacks), where the twin may have written only part of what
    ``fn`` writes. ``fn`` checks its own keys first, so the rerun does the rest
    or finds everything done.
    """
    for _ in range(reruns):
        try:
            return transact(fn)
        except IntegrityError:
            continue
    try:
        return transact(fn)
    except IntegrityError:
        return "already"


# --- one-off purchases ------------------------------------------------------------


def _business_customer_record(user_id: Any, customer_id: str) -> None:
    """Keep the Stripe customer a business first paid as (seed 001), for its later checkouts.

    A conditional update: only a profile without a customer takes one, so two first payments
    landing at once record exactly one and nothing ever overwrites it. Not a business (no
    profile): nothing to do.
    """
    if customer_id:
        BusinessProfile.objects.filter(user_id=user_id, stripe_customer_id="").update(
            stripe_customer_id=customer_id
        )


def checkout_fulfil(session: dict) -> str:
    """Grant what a paid Checkout Session bought, exactly once.

    Called by the webhook (checkout.session.completed / async_payment_succeeded)
    and by the success page with the same session: whichever commits first
    grants, the other finds the key.
    """
    if session.get("payment_status") not in PAID_STATUSES:
        return "unpaid"
    session_id = session["id"]
    metadata = session.get("metadata") or {}
    user = _user(session.get("client_reference_id") or metadata.get("user_id"))
    if user is None:
        raise PermanentEventError(f"checkout session {session_id}: unknown user")
    price_id = metadata.get("price_id", "")
    if session.get("mode") == "subscription":
        return subscription_from_checkout(session, user)
    package = Package.objects.filter(stripe_price_id=price_id).one()
    if package is None:
        raise PermanentEventError(f"checkout session {session_id}: unknown price {price_id!r}")
    wallet_for(user)
    key = checkout_key(session_id)

    def txn() -> str:
        if LedgerEntry.objects.filter(idempotency_key=key).exists():
            return "already"
        now = timezone.now()
        fields = dict(
            status=Payment.Status.COMPLETED,
            completed_at=now,
            amount_cents=session.get("amount_total") or package.price_cents,
            currency=(session.get("currency") or package.currency).lower(),
            credits_purchased=package.ai_credits_granted,
            package_id=package.pk,
            stripe_payment_intent_id=session.get("payment_intent") or "",
            transaction_id=session.get("payment_intent") or session_id,
            livemode=bool(session.get("livemode")),
        )
        payment = Payment.objects.filter(external_id=session_id).one()
        if payment is None:
            payment = Payment.objects.create(user_id=user.pk, external_id=session_id, **fields)
        else:
            Payment.objects.filter(pk=payment.pk).update(**fields)
        wallet = Wallet.objects.get(user_id=user.pk)
        updates = {"human_model_access": True} if package.human_model_access else {}
        apply_changes(
            wallet,
            [
                Change(
                    Type.PURCHASE,
                    key,
                    purchased=package.ai_credits_granted,
                    description=f"Bought {package.name}",
                    related=("billing.payment", payment.pk),
                )
            ],
            **updates,
        )
        _business_customer_record(user.pk, _customer_id(session))
        return "fulfilled"

    return _idempotent(txn)


def checkout_failed(session: dict) -> str:
    """An asynchronous payment failed: record it, grant nothing."""
    metadata = session.get("metadata") or {}
    user = _user(session.get("client_reference_id") or metadata.get("user_id"))
    if user is None:
        raise PermanentEventError(f"checkout session {session['id']}: unknown user")
    package = Package.objects.filter(stripe_price_id=metadata.get("price_id", "")).one()

    def txn() -> str:
        payment = Payment.objects.filter(external_id=session["id"]).one()
        if payment is None:
            Payment.objects.create(
                user_id=user.pk,
                external_id=session["id"],
                status=Payment.Status.FAILED,
                amount_cents=session.get("amount_total") or 0,
                currency=(session.get("currency") or "usd"),
                package_id=package.pk if package else None,
            )
        elif payment.status == Payment.Status.PENDING:
            Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED)
        return "failed"

    return _idempotent(txn)


# --- subscriptions ----------------------------------------------------------------


def _subscription_price(sub: dict) -> str:
    items = ((sub.get("items") or {}).get("data")) or []
    if items:
        price = items[0].get("price") or {}
        return price.get("id", "") if isinstance(price, dict) else str(price)
    return (sub.get("metadata") or {}).get("price_id", "")


def _subscription_period(sub: dict) -> tuple[Any, Any]:
    # Newer API versions moved the period onto the items.
    items = ((sub.get("items") or {}).get("data")) or []
    item = items[0] if items else {}
    start = sub.get("current_period_start") or item.get("current_period_start")
    end = sub.get("current_period_end") or item.get("current_period_end")
    return _ts(start), _ts(end)


def _user_for_subscription(sub: dict) -> Any:
    user = _user((sub.get("metadata") or {}).get("user_id"))
    if user is None and sub.get("id"):
        row = Subscription.objects.filter(stripe_subscription_id=sub["id"]).one()
        user = row.user if row else None
    if user is None and sub.get("customer"):
        row = Subscription.objects.filter(stripe_customer_id=sub["customer"]).one()
        user = row.user if row else None
    return user


def subscription_from_checkout(session: dict, user: Any) -> str:
    """Link the user to the Stripe customer and subscription the checkout created."""
    subscription_id = session.get("subscription") or ""
    if isinstance(subscription_id, dict):
        subscription_id = subscription_id.get("id", "")
    customer_id = _customer_id(session)
    found = plan_for_price((session.get("metadata") or {}).get("price_id", ""))

    def txn() -> str:
        row = Subscription.objects.filter(user_id=user.pk).one()
        fields = {"stripe_customer_id": customer_id}
        if subscription_id:
            fields["stripe_subscription_id"] = subscription_id
        if row is None:
            Subscription.objects.create(
                user_id=user.pk,
                tier=found[0].code if found else Plan.Code.FREE,
                interval=found[1] if found else "month",
                **fields,
            )
        elif not row.stripe_subscription_id or row.status == Subscription.Status.CANCELED:
            Subscription.objects.filter(pk=row.pk).update(**fields)
        else:
            Subscription.objects.filter(pk=row.pk).update(
                stripe_customer_id=customer_id or row.stripe_customer_id
            )
        _business_customer_record(user.pk, customer_id)
        return "linked"

    return _idempotent(txn)


def subscription_sync(sub: dict, *, event_type: str, event_created: int) -> str:
    """Mirror a customer.subscription.* event; older events never overwrite newer state."""
    user = _user_for_subscription(sub)
    if user is None:
        raise PermanentEventError(f"subscription {sub.get('id')}: unknown user")
    deleted = event_type == "customer.subscription.deleted"
    status = Subscription.Status.CANCELED if deleted else sub.get("status", Subscription.Status.INCOMPLETE)
    price_id = _subscription_price(sub)
    found = plan_for_price(price_id)
    start, end = _subscription_period(sub)
    fields = dict(
        status=status,
        stripe_subscription_id=sub.get("id", ""),
        stripe_customer_id=sub.get("customer") or "",
        stripe_price_id=price_id,
        current_period_start=start,
        current_period_end=end,
        trial_start=_ts(sub.get("trial_start")),
        trial_end=_ts(sub.get("trial_end")),
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
        metadata=sub.get("metadata") or {},
        last_event_created=event_created,
    )
    if found:
        fields["tier"], fields["interval"] = found[0].code, found[1]
    wallet_for(user)

    def txn() -> str:
        row = Subscription.objects.filter(user_id=user.pk).one()
        if row is not None:
            if row.last_event_created > event_created:
                return "stale"
            same_moment = row.last_event_created == event_created
            if (
                same_moment
                and row.status == Subscription.Status.CANCELED
                and not deleted
                and row.stripe_subscription_id == fields["stripe_subscription_id"]
            ):
                return "stale"  # a deletion wins a tie with an update of the same subscription
            Subscription.objects.filter(pk=row.pk).update(**fields)
        else:
            Subscription.objects.create(user_id=user.pk, **fields)
        if status in ACTIVE_STATUSES and found:
            _plan_follow(user, found[0], row)
        elif status in (
            Subscription.Status.CANCELED,
            Subscription.Status.UNPAID,
            Subscription.Status.INCOMPLETE_EXPIRED,
        ):
            # The allowance follows the plan: back to free from the next reset.
            Wallet.objects.filter(user_id=user.pk).update(plan_code=Plan.Code.FREE)
        return "synced"

    return _idempotent(txn)


def _plan_follow(user: Any, plan: Plan, previous: Subscription | None) -> None:
    """Point the wallet at ``plan``; an upgrade mid-period tops the allowance up at once.

    The top-up is the difference between the plans' quotas, once per period
    and plan (key ``topup:<user>:<period>:<plan>``). A downgrade takes effect
    at the next period, so nobody loses credits they were already given.
    """
    wallet = Wallet.objects.get(user_id=user.pk)
    old = Plan.objects.filter(code=wallet.plan_code).one()
    changes = []
    active_before = previous is not None and previous.status in ACTIVE_STATUSES
    if active_before and old is not None and plan.rank > old.rank and wallet.period_start is not None:
        key = f"topup:{user.pk}:{period_stamp(wallet.period_start)}:{plan.code}"
        if not LedgerEntry.objects.filter(idempotency_key=key).exists():
            changes = [
                Change(
                    Type.SUBSCRIPTION_GRANT,
                    key,
                    allowance=plan.credits_per_period - old.credits_per_period,
                    description=f"Upgrade to {plan.name}: allowance top-up",
                )
            ]
    apply_changes(wallet, changes, plan_code=plan.code)


# --- invoices ---------------------------------------------------------------------


def _invoice_subscription_id(inv: dict) -> str:
    sub = inv.get("subscription")
    if not sub:
        details = ((inv.get("parent") or {}).get("subscription_details")) or {}
        sub = details.get("subscription")
    if isinstance(sub, dict):
        sub = sub.get("id")
    return sub or ""


def _invoice_user(inv: dict) -> Any:
    details = ((inv.get("parent") or {}).get("subscription_details")) or {}
    for meta in (
        inv.get("metadata") or {},
        details.get("metadata") or {},
        inv.get("subscription_details", {}).get("metadata") or {} if inv.get("subscription_details") else {},
    ):
        user = _user(meta.get("user_id"))
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


def _customer_id(obj: dict) -> str:
    customer = obj.get("customer") or ""
    return customer.get("id", "") if isinstance(customer, dict) else customer


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
        period_start=_ts(inv.get("period_start")),
        period_end=_ts(inv.get("period_end")),
        line_items=[
            InvoiceLine(
                description=(line.get("description") or "")[:300],
                amount_cents=line.get("amount") or 0,
                quantity=line.get("quantity") or 1,
                price_id=_line_price(line),
                period_start=_ts((line.get("period") or {}).get("start")),
                period_end=_ts((line.get("period") or {}).get("end")),
            )
            for line in lines
        ],
    )


def _invoice_upsert(user: Any, inv: dict, status: str, paid_at: datetime | None = None) -> Invoice:
    fields = _invoice_fields(inv, status)
    if paid_at:
        fields["paid_at"] = paid_at
    row = Invoice.objects.filter(stripe_invoice_id=inv["id"]).one()
    if row is None:
        return Invoice.objects.create(user_id=user.pk, stripe_invoice_id=inv["id"], **fields)
    if row.status == Invoice.Status.PAID and status != Invoice.Status.PAID:
        return row  # paid is final; a late failure notice does not undo it
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def invoice_paid(inv: dict) -> str:
    """Record the invoice and payment; grant the plan's allowance for the new period."""
    user = _invoice_user(inv)
    if user is None:
        raise PermanentEventError(f"invoice {inv.get('id')}: unknown user")
    lines = ((inv.get("lines") or {}).get("data")) or []
    plan_line = next((line for line in lines if plan_for_price(_line_price(line))), None)
    found = plan_for_price(_line_price(plan_line)) if plan_line else None
    period = (plan_line or {}).get("period") or {}
    start = _ts(period.get("start") or inv.get("period_start"))
    end = _ts(period.get("end") or inv.get("period_end"))
    paid_at = _ts((inv.get("status_transitions") or {}).get("paid_at")) or timezone.now()
    records_payment = not _is_one_off(inv)
    wallet_for(user)

    def txn() -> str:
        invoice = _invoice_upsert(user, inv, Invoice.Status.PAID, paid_at)
        if (
            records_payment
            and (inv.get("amount_paid") or 0) > 0
            and not Payment.objects.filter(external_id=inv["id"]).exists()
        ):
            Payment.objects.create(
                user_id=user.pk,
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
        key = reset_key(user.pk, start)
        existing = LedgerEntry.objects.filter(idempotency_key=key).one()
        wallet = Wallet.objects.get(user_id=user.pk)
        if existing is None:
            changes = allowance_changes(
                wallet,
                plan=plan,
                period_start=start,
                entry_type=Type.SUBSCRIPTION_GRANT,
                description=f"{plan.name} allowance, invoice {invoice.number or inv['id']}",
                related=("billing.invoice", invoice.pk),
            )
        else:
            # The period was already started (by reset_quotas, or a smaller plan):
            # top up to this plan's quota once.
            top_up = plan.credits_per_period - existing.allowance_delta
            topup_key = f"topup:{user.pk}:{key.rsplit(':', 1)[1]}:{plan.code}"
            changes = []
            if top_up > 0 and not LedgerEntry.objects.filter(idempotency_key=topup_key).exists():
                changes = [
                    Change(
                        Type.SUBSCRIPTION_GRANT,
                        topup_key,
                        allowance=top_up,
                        description=f"{plan.name} allowance top-up",
                        related=("billing.invoice", invoice.pk),
                    )
                ]
        apply_changes(wallet, changes, plan_code=plan.code, period_start=start, period_end=end)
        return "granted" if changes else "recorded"

    return _idempotent(txn)


def invoice_payment_failed(inv: dict) -> str:
    user = _invoice_user(inv)
    if user is None:
        raise PermanentEventError(f"invoice {inv.get('id')}: unknown user")

    def txn() -> str:
        _invoice_upsert(user, inv, Invoice.Status.OPEN)
        return "recorded"

    return _idempotent(txn)


# --- refunds ----------------------------------------------------------------------


def _human_model_access_after_refund(payment: Payment) -> bool | None:
    """Whether the user keeps human-model access once ``payment`` is fully refunded (None: its
    package never granted access, so the refund leaves the flag alone).

    Only a package grants it (plans carry no such flag): access stays while another
    completed payment of a package with ``human_model_access`` is not fully refunded
    (a fully refunded one is ``REFUNDED``; a partly refunded one stays ``COMPLETED``).
    Read inside the refund's transaction: a concurrent purchase also writes the
    wallet, so one of the two conflicts and runs again.
    """
    granting = set(Package.objects.filter(human_model_access=True).values_list("pk", flat=True))
    if payment.package_id not in granting:
        return None
    # One condition on the indexed user (SecantusDB scans for a multi-condition filter's $and);
    # a user has few payments.
    return any(
        pk != payment.pk and status == Payment.Status.COMPLETED and package_id in granting
        for pk, status, package_id in Payment.objects.filter(user_id=payment.user_id)
        .order_by()
        .values_list("pk", "status", "package_id")
    )


def charge_refunded(charge: dict) -> str:
    """Revoke the refunded share of the purchase's credits, once per refund id.

    Only unspent purchased credits can be taken back; whatever was already
    spent is recorded on the entry as a shortfall instead of driving the
    balance below zero. A shortfall also claws back the still-pending royalties
    of the human-model generations those credits paid for, newest first, until
    their purchased credits cover it (``royalties.royalty_clawback_for_refund``;
    a payable or paid royalty is not taken back). A refund that leaves the
    payment fully refunded also recomputes the wallet's ``human_model_access``
    when the package granted it: it stays only if another completed, not fully
    refunded payment of a package granting it remains. The revocation, the
    access change and the clawbacks commit in one transaction.
    """
    intent = charge.get("payment_intent") or ""
    payment = Payment.objects.filter(stripe_payment_intent_id=intent).one() if intent else None
    if payment is None:
        raise PermanentEventError(f"charge {charge.get('id')}: no payment for intent {intent!r}")
    refunds = ((charge.get("refunds") or {}).get("data")) or []

    def txn() -> str:
        current = Payment.objects.get(pk=payment.pk)
        items = [(r["id"], r.get("amount") or 0) for r in refunds]
        if not items:  # API versions that do not embed refunds: key on the cumulative amount
            items = [
                (
                    f"{charge['id']}:{charge.get('amount_refunded') or 0}",
                    (charge.get("amount_refunded") or 0) - current.refunded_cents,
                )
            ]
        wallet = Wallet.objects.get(user_id=current.user_id)
        changes, ids, refunded, revoked = [], [], 0, 0
        purchased = wallet.purchased
        for refund_id, amount in items:
            key = f"stripe:refund:{refund_id}"
            if amount <= 0 or LedgerEntry.objects.filter(idempotency_key=key).exists():
                continue
            share = current.credits_purchased * amount // current.amount_cents if current.amount_cents else 0
            share = min(share, current.credits_purchased - current.credits_revoked - revoked)
            taken = max(0, min(share, purchased))
            purchased -= taken
            changes.append(
                Change(
                    Type.REVOCATION,
                    key,
                    purchased=-taken,
                    shortfall=max(0, share - taken),
                    description=f"Refund {refund_id}: {amount / 100:.2f} {current.currency.upper()}",
                    related=("billing.payment", current.pk),
                )
            )
            refunded += amount
            revoked += taken
            ids.append(refund_id)
        if not changes:
            return "already"
        total = current.refunded_cents + refunded
        fully_refunded = total >= current.amount_cents
        access = _human_model_access_after_refund(current) if fully_refunded else None
        apply_changes(wallet, changes, **({} if access is None else {"human_model_access": access}))
        royalty_clawback_for_refund(
            business_id=current.user_id,
            since=current.completed_at or current.created_at,
            shortfall=sum(change.shortfall for change in changes),
            reason=f"The purchase that paid for it was refunded ({', '.join(ids)})",
        )
        Payment.objects.filter(pk=current.pk).update(
            refunded_cents=total,
            credits_revoked=current.credits_revoked + revoked,
            status=Payment.Status.REFUNDED if fully_refunded else current.status,
        )
        return "revoked"

    # A concurrent clawback of one of the same generations (a staff refund of it)
    # is a duplicate key here that does not mean this refund was applied: rerun.
    return _idempotent(txn, reruns=2)
