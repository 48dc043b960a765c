"""Applying Stripe objects to our state: one-off purchases and refunds.

Each function takes the Stripe object as plain data (from a webhook payload or
a retrieved Checkout Session), runs one transaction, and is idempotent: its
ledger keys are derived from Stripe ids (``stripe:checkout:<session>``,
``reset:<user>:<period>``, ``stripe:refund:<refund>``) and checked inside the
transaction, with the unique index as the backstop under races. Subscriptions
live in :mod:`billing.services.subscriptions`, invoices in
:mod:`billing.services.invoices`, the shared reading of Stripe data in
:mod:`billing.services.stripe_data`.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_noop

from billing.exceptions import PermanentEventError
from billing.models import LedgerEntry, Package, Payment, Wallet
from billing.services.coins import coins_refund_share, coins_revocation
from billing.services.ledger import Change, _NoWallet, apply_changes, transact, write_changes
from billing.services.royalties import royalty_clawback_for_refund
from billing.services.stripe_data import (
    PAID_STATUSES,
    business_customer_record,
    customer_id_of,
    named_user_id,
    run_idempotent,
    user_named,
    with_wallet_of,
)
from billing.services.subscriptions import subscription_from_checkout
from modelsnapper.sentences import Sentence

Type = LedgerEntry.Type


def checkout_key(session_id: str) -> str:
    return f"stripe:checkout:{session_id}"


# --- one-off purchases ------------------------------------------------------------


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
    named = session.get("client_reference_id") or metadata.get("user_id")
    price_id = metadata.get("price_id", "")
    if session.get("mode") == "subscription":
        user = user_named(named)
        if user is None:
            raise PermanentEventError(f"checkout session {session_id}: unknown user")
        return subscription_from_checkout(session, user)
    package = Package.objects.filter(stripe_price_id=price_id).one()
    if package is None:
        raise PermanentEventError(f"checkout session {session_id}: unknown price {price_id!r}")
    key = checkout_key(session_id)

    def txn(user_id: Any, payment_recorded: bool) -> str:
        # First try (the usual case, nothing recorded for this session yet): insert the payment
        # and the grant straight away; the payment's unique ``external_id`` and the ledger key
        # refuse them if anything was. Only then look: a payment recorded by an earlier async
        # failure is completed now, a ledger key already taken means a twin granted.
        if payment_recorded and LedgerEntry.objects.filter(idempotency_key=key).exists():
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
        payment = Payment.objects.filter(external_id=session_id).one() if payment_recorded else None
        if payment is None:
            payment = Payment.objects.create(user_id=user_id, external_id=session_id, **fields)
        else:
            Payment.objects.filter(pk=payment.pk).update(**fields)
        updates = {"human_model_access": True} if package.human_model_access else {}
        # A coin pack is a coin purchase on the same key: one grant per session either way.
        change = (
            Change(Type.COIN_PURCHASE, key, coins=package.coins_granted)
            if package.coins_granted
            else Change(Type.PURCHASE, key, purchased=package.ai_credits_granted)
        )
        change.description = Sentence(gettext_noop("Bought %(package)s"), {"package": package.name})
        change.related = ("billing.payment", payment.pk)
        # A grant needs no decision from the balance: no wallet read, one guarded update.
        if write_changes(user_id, [change], **updates) is None:
            raise _NoWallet  # also when ``user_id`` names nobody: rolled back, then looked up
        business_customer_record(user_id, customer_id_of(session))
        return "fulfilled"

    def fulfil(user_id: Any) -> str:
        try:
            return transact(lambda: txn(user_id, payment_recorded=False))
        except IntegrityError:
            return run_idempotent(lambda: txn(user_id, payment_recorded=True))

    return with_wallet_of(
        named_user_id(named),
        fulfil,
        find_user=lambda: user_named(named),
        what=f"checkout session {session_id}",
    )


def checkout_failed(session: dict) -> str:
    """An asynchronous payment failed: record it, grant nothing."""
    metadata = session.get("metadata") or {}
    user = user_named(session.get("client_reference_id") or metadata.get("user_id"))
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

    return run_idempotent(txn)


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
    """Revoke the refunded share of the purchase's credits, or of a coin pack's coins, once per
    refund id.

    Only unspent purchased credits can be taken back; whatever was already
    spent is recorded on the entry as a shortfall instead of driving the
    balance below zero. A coin pack (its checkout granted coins, not credits)
    gives back its coins the same way: the refund's share, floored on the
    refunded total so a purchase refunded in pieces gives back every coin
    (``coins.coins_refund_share``); coins already gifted, tipped or spent on
    boosts are the coin entry's shortfall (``coins.coins_revocation``). A
    credit shortfall also claws back the still-pending royalties
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
        # What the checkout actually granted (a coin pack's coins), not the package as it is now.
        grant = LedgerEntry.objects.filter(idempotency_key=checkout_key(current.external_id)).one()
        coins_granted = grant.coins_delta if grant is not None else 0
        changes, ids, refunded, revoked = [], [], 0, 0
        purchased, coins = wallet.purchased, wallet.coins
        for refund_id, amount in items:
            key = f"stripe:refund:{refund_id}"
            if amount <= 0 or LedgerEntry.objects.filter(idempotency_key=key).exists():
                continue
            description = Sentence(
                gettext_noop("Refund %(refund)s: %(amount)s"),
                {"refund": refund_id, "amount_cents": amount, "currency": current.currency},
            )
            related = ("billing.payment", current.pk)
            if coins_granted:
                change = coins_revocation(
                    available=coins,
                    owed=coins_refund_share(
                        granted=coins_granted,
                        paid_cents=current.amount_cents,
                        refunded_before_cents=current.refunded_cents + refunded,
                        refund_cents=amount,
                    ),
                    idempotency_key=key,
                    description=description,
                    related=related,
                )
                coins += change.coins
            else:
                share = (
                    current.credits_purchased * amount // current.amount_cents if current.amount_cents else 0
                )
                share = min(share, current.credits_purchased - current.credits_revoked - revoked)
                taken = max(0, min(share, purchased))
                purchased -= taken
                revoked += taken
                change = Change(
                    Type.REVOCATION,
                    key,
                    purchased=-taken,
                    shortfall=max(0, share - taken),
                    description=description,
                    related=related,
                )
            changes.append(change)
            refunded += amount
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
            # Only credits paid for royalties: a coin shortfall claws none back.
            shortfall=sum(
                change.shortfall for change in changes if change.currency == LedgerEntry.Currency.CREDITS
            ),
            reason=Sentence(
                gettext_noop("The purchase that paid for it was refunded (%(refunds)s)"),
                {"refunds": ", ".join(ids)},
            ),
        )
        Payment.objects.filter(pk=current.pk).update(
            refunded_cents=total,
            credits_revoked=current.credits_revoked + revoked,
            status=Payment.Status.REFUNDED if fully_refunded else current.status,
        )
        return "revoked"

    # A concurrent clawback of one of the same generations (a staff refund of it)
    # is a duplicate key here that does not mean this refund was applied: rerun.
    return run_idempotent(txn, reruns=2)
