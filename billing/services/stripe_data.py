"""Reading Stripe objects as plain data, shared by the payment, subscription and invoice services.

Timestamps, the user an object names, the customer id (and a business's first one kept), and
the one transaction rule every handler follows (:func:`run_idempotent`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError

from accounts.models import BusinessProfile
from billing.exceptions import PermanentEventError
from billing.models import Subscription
from billing.services.ledger import _NoWallet, transact, wallet_for
from modelsnapper.ids import parse_object_id

PAID_STATUSES = ("paid", "no_payment_required")
ACTIVE_STATUSES = (Subscription.Status.ACTIVE, Subscription.Status.TRIALING)


def stripe_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def user_named(user_id: Any) -> Any:
    """The user ``user_id`` names, or None when it names nobody (a permanent failure).

    Only a missing or malformed id means "no such user". A database error
    propagates: the webhook then answers 5xx and Stripe retries, instead of a
    paid purchase being written off as "unknown user".
    """
    pk = named_user_id(user_id)
    if pk is None:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def named_user_id(user_id: Any) -> Any:
    """The user id a Stripe object names, parsed but not looked up (None when malformed)."""
    return parse_object_id(user_id) if user_id else None


def with_wallet_of(user_id: Any, fn: Callable[[Any], str], *, find_user: Callable[[], Any], what: str) -> str:
    """``fn(user_id)`` for the user a Stripe object names, without reading that user first.

    Every handler reads or writes the user's wallet inside its transaction, and a wallet exists
    only for an existing user (deleting a user deletes the wallet): finding it proves the id,
    so the common event spends no round trip on the user. Only when ``fn`` finds no wallet
    (raises ``_NoWallet``, its transaction rolled back) or there is no id is the user looked up
    with ``find_user``, the handler's full lookup (which may name the user another way): nobody
    is a permanent failure, "<what>: unknown user"; a user without a wallet gets one and ``fn``
    runs again with that user's id. A database error in the lookup propagates (Stripe retries).
    """
    if user_id is not None:
        try:
            return fn(user_id)
        except _NoWallet:
            pass
    user = find_user()
    if user is None:
        raise PermanentEventError(f"{what}: unknown user")
    return with_wallet(user, lambda: fn(user.pk))


def run_idempotent(fn, *, reruns: int = 0) -> str:
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


def with_wallet(user: Any, fn) -> str:
    """``fn()``, first creating ``user``'s wallet if ``fn`` found none (raised ``_NoWallet``).

    Handlers read or write the wallet inside their transaction anyway; asking for it
    beforehand as well (``wallet_for``) would cost every event a round trip for the rare
    buyer who has none yet.
    """
    try:
        return fn()
    except _NoWallet:
        wallet_for(user)
        return fn()


def customer_id_of(obj: dict) -> str:
    customer = obj.get("customer") or ""
    return customer.get("id", "") if isinstance(customer, dict) else customer


def business_customer_record(user_id: Any, customer_id: str) -> None:
    """Keep the Stripe customer a business first paid as (seed 001), for its later checkouts.

    A conditional update: only a profile without a customer takes one, so two first payments
    landing at once record exactly one and nothing ever overwrites it. Not a business (no
    profile): nothing to do.
    """
    if customer_id:
        BusinessProfile.objects.filter(user_id=user_id, stripe_customer_id="").update(
            stripe_customer_id=customer_id
        )
