"""Royalties for human models (seed 001): accrue, claw back, pay out — each exactly once.

Royalties are their own currency on the ledger (``currency="royalty"``, integer
cents) and change only the wallet's ``royalty_cents`` (what is owed) and
``royalty_paid_cents``; the credit and coin deltas of these entries are zero,
so credit reconciliation is untouched. ``royalty_cents`` always equals the sum
of the royalty entries' amounts (``reconcile_ledger`` checks it).

An accrual is *pending* for ``MARKETPLACE_ROYALTY_WINDOW_DAYS`` after it was
made (a refund of the generation may still claw it back), then *payable*.
Idempotency rests on the ledger's unique keys ``royalty:<job id>:accrue`` and
``royalty:<job id>:clawback``: the entry insert and the wallet ``$inc`` commit
together, so a duplicate completion or refund changes nothing.

Two refunds claw a royalty back: a refund of the generation itself
(:func:`royalty_clawback`, called by the generation app), and a Stripe refund
of the purchase whose credits paid for it (:func:`royalty_clawback_for_refund`,
called by ``payments.charge_refunded``). Both follow one rule
(:func:`is_pending`): only a *pending* royalty is clawed back. Once payable (or
paid out) it stays with the model and the platform carries the loss, so a
clawback can never drive ``royalty_cents`` below zero. Either way the clawback's
transaction also zeroes the job's own ``royalty_cents`` by calling
``generation.marketplace.royalties.job_royalty_clawed_back``: the one narrow call
from billing into generation (a direct call, not a signal: it is business logic).

A payout (:func:`royalty_payout`) decides from the payable balance inside the
transaction that writes it; two payouts write the same wallet document, so
the later one conflicts, runs again against the new balance and is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from billing.exceptions import BillingError
from billing.models import LedgerEntry, RefundMarker, Wallet
from billing.services.ledger import transact, wallet_collection, wallet_for
from generation.marketplace.royalties import job_royalty_clawed_back
from modelsnapper import seams
from modelsnapper.money import money
from modelsnapper.sentences import Sentence, written

logger = logging.getLogger(__name__)

Type = LedgerEntry.Type
ROYALTY = LedgerEntry.Currency.ROYALTY_CENTS


def accrue_key(job_id: Any) -> str:
    return f"royalty:{job_id}:accrue"


def clawback_key(job_id: Any) -> str:
    return f"royalty:{job_id}:clawback"


def _write_in_txn(
    *,
    user_id: Any,
    entry_type: str,
    key: str,
    amount_cents: int,
    description: str | Sentence,
    related: tuple[str, str] = ("", ""),
    reverses_key: str = "",
    paid_delta: int = 0,
    created_by_id: Any = None,
) -> LedgerEntry:
    """One royalty entry and the matching wallet ``$inc``; the caller's transaction commits them.

    A duplicate key raises IntegrityError and aborts that whole transaction, so
    callers check the key first (inside the transaction) when they must not fail.
    """
    collection, session = wallet_collection()
    now = timezone.now()
    text, sentence = written(description)
    update: dict[str, Any] = {
        "$inc": {"royalty_cents": amount_cents, "royalty_paid_cents": paid_delta},
        "$set": {"updated_at": now},
    }
    # update_one + find_one, not findAndModify (SecantusDB scans for the latter).
    if collection.update_one({"user_id": user_id}, update, session=session).matched_count != 1:
        raise BillingError("no wallet")
    wallet = collection.find_one(
        {"user_id": user_id},
        {"allowance": 1, "purchased": 1, "coins": 1, "royalty_cents": 1},
        session=session,
    )
    entry = LedgerEntry(
        user_id=user_id,
        entry_type=entry_type,
        currency=ROYALTY,
        bucket=LedgerEntry.Bucket.ROYALTY,
        amount=amount_cents,
        allowance_after=wallet["allowance"],
        purchased_after=wallet["purchased"],
        coins_after=wallet["coins"],
        balance_after=wallet["royalty_cents"],
        related_type=related[0],
        related_id=related[1],
        description=text[:300],
        description_sentence=sentence,
        idempotency_key=key,
        reverses_key=reverses_key,
        created_by_id=created_by_id,
        created_at=now,
    )
    entry.save(force_insert=True)
    if entry_type == Type.ROYALTY_CLAWBACK and related[0] == "generation.job":
        job_royalty_clawed_back(job_id=related[1])  # the job's own record, in this same commit
    return entry


def _once(key: str, txn: Callable[[], Any], *, recorded: Callable[[LedgerEntry], Any] = lambda entry: entry):
    """Run ``txn`` in a transaction; when a concurrent twin wrote ``key`` first, ``recorded`` of its entry."""
    try:
        return transact(txn)
    except IntegrityError:
        existing = LedgerEntry.objects.filter(idempotency_key=key).one()
        if existing is None:
            raise
        return recorded(existing)


def _write(**fields: Any) -> LedgerEntry:
    """:func:`_write_in_txn` in its own transaction (or the caller's), once per key."""
    return _once(fields["key"], lambda: _write_in_txn(**fields))


def royalty_accrue(*, job_id: Any, model_user: Any, amount_cents: int) -> LedgerEntry:
    """Credit ``amount_cents`` to the model for job ``job_id``, once however often it is called."""
    if amount_cents <= 0:
        raise ValueError("a royalty is a positive amount of cents")
    existing = LedgerEntry.objects.filter(idempotency_key=accrue_key(job_id)).one()
    if existing is not None:
        return existing
    wallet_for(model_user)
    return _write(
        user_id=model_user.pk,
        entry_type=Type.ROYALTY,
        key=accrue_key(job_id),
        amount_cents=amount_cents,
        # The entry links to its job (related); its text is for people, so it names no id.
        # Stored in English; the royalty statement translates it when shown.
        description=gettext_noop("Royalty for a catalog image"),
        related=("generation.job", str(job_id)),
    )


# Stored as sentences, shown in the model's language on the royalty statement (modelsnapper.sentences).
GENERATION_REFUNDED = Sentence(gettext_noop("The generation was refunded"))


def royalty_clawback(*, job_id: Any, reason: str | Sentence = GENERATION_REFUNDED) -> LedgerEntry | None:
    """Take back job ``job_id``'s royalty, once, if it is still pending.

    Returns the clawback (the existing one on a repeat, whenever it was made),
    or None, writing nothing, when nothing was accrued for the job or the
    royalty is no longer pending (accrued :func:`window` ago or earlier): a
    payable or paid-out royalty stays with the model, so ``royalty_cents``
    never goes negative (the same rule as :func:`royalty_clawback_for_refund`).

    The accrual, the existing clawback and the window are checked inside the
    transaction that writes; a payout that made the royalty paid in between
    conflicts on the wallet, and the rerun sees it no longer pending. Safe
    inside a caller's transaction: an existing clawback is returned before
    anything is written, so a repeat never hits the unique key (which would
    abort the caller's whole transaction).
    """

    def txn() -> LedgerEntry | None:
        accrual = LedgerEntry.objects.filter(idempotency_key=accrue_key(job_id)).one()
        if accrual is None or accrual.entry_type != Type.ROYALTY:
            return None
        existing = LedgerEntry.objects.filter(idempotency_key=clawback_key(job_id)).one()
        if existing is not None:
            return existing
        if not is_pending(accrual):
            logger.info(
                "royalty of generation %s is no longer pending (accrued %s): not clawed back",
                job_id,
                accrual.created_at.isoformat(),
            )
            return None
        return _write_in_txn(**_clawback_fields(accrual, job_id, reason))

    return _once(clawback_key(job_id), txn)


def _clawback_fields(accrual: LedgerEntry, job_id: Any, reason: str | Sentence) -> dict[str, Any]:
    return dict(
        user_id=accrual.user_id,
        entry_type=Type.ROYALTY_CLAWBACK,
        key=clawback_key(job_id),
        amount_cents=-accrual.amount,
        description=reason,
        related=("generation.job", str(job_id)),
        reverses_key=accrual.idempotency_key,
    )


@dataclass(frozen=True)
class SpentGeneration:
    """A human-model generation paid (in part) with purchased credits, its royalty still pending."""

    job_id: str
    purchased_spent: int
    accrual: LedgerEntry


def refund_clawback_candidates(
    *, business_id: Any, since: datetime, now: datetime | None = None
) -> list[SpentGeneration]:
    """The business's generations whose royalty a refund of purchased credits may take back, newest first.

    Read from the ledger only (billing does not query the generation app's jobs): the
    business's usage entries keyed ``gen:<job id>:charge`` for a
    ``generation.job`` that drew on the purchased bucket at or after ``since``
    and were not refunded (a refunded charge gave its credits back, so they are
    not spent), whose ``royalty:<job id>:accrue`` exists, has no clawback yet,
    and is still pending, i.e. younger than :func:`window`.
    """
    now = now or timezone.now()
    charges = [
        entry
        for entry in LedgerEntry.objects.filter(
            user_id=business_id,
            entry_type=Type.USAGE,
            idempotency_key__startswith="gen:",
            purchased_delta__lt=0,
            created_at__gte=since,
        ).order_by("-created_at", "-pk")
        if entry.related_type == "generation.job"
        and entry.idempotency_key == f"gen:{entry.related_id}:charge"
    ]
    if not charges:
        return []
    refunded = set(
        RefundMarker.objects.filter(charge_key__in=[c.idempotency_key for c in charges]).values_list(
            "charge_key", flat=True
        )
    )
    charges = [c for c in charges if c.idempotency_key not in refunded]
    jobs = [c.related_id for c in charges]
    accruals = {
        entry.idempotency_key: entry
        for entry in LedgerEntry.objects.filter(idempotency_key__in=[accrue_key(j) for j in jobs])
    }
    clawed = set(
        LedgerEntry.objects.filter(idempotency_key__in=[clawback_key(j) for j in jobs]).values_list(
            "idempotency_key", flat=True
        )
    )
    found = []
    for charge in charges:
        accrual = accruals.get(accrue_key(charge.related_id))
        if accrual is None or accrual.entry_type != Type.ROYALTY:
            continue
        if clawback_key(charge.related_id) in clawed or not is_pending(accrual, now):
            continue
        found.append(SpentGeneration(charge.related_id, -charge.purchased_delta, accrual))
    return found


def royalty_clawback_for_refund(
    *, business_id: Any, since: datetime, shortfall: int, reason: str | Sentence
) -> list[LedgerEntry]:
    """Claw back the pending royalties of the generations a refunded purchase paid for.

    ``shortfall`` is the number of refunded purchased credits the business had
    already spent. Walking :func:`refund_clawback_candidates` newest first, each
    generation's royalty is clawed back (once: ``royalty:<job id>:clawback``)
    until the purchased credits those generations spent cover the shortfall.

    The rule: only a *pending* royalty is taken back, one accrued less than
    ``MARKETPLACE_ROYALTY_WINDOW_DAYS`` ago. Once payable (or paid out) it
    stays with the model; the platform carries that loss. Only royalty-bearing
    generations count towards the shortfall, so a refund covering spending on
    other generations too still claws back the newest human-model ones.

    Must run inside the caller's transaction (``charge_refunded``), so the
    revocation and its clawbacks commit together or not at all: a redelivered
    event that finds the revocation done cannot have skipped the clawbacks.
    Candidates are read in that transaction, so no clawback key is written twice
    here; a concurrent clawback of the same job (a staff refund of the
    generation) makes this transaction conflict or hit the unique key, and the
    caller runs it again.
    """
    if shortfall <= 0:
        return []
    entries, covered = [], 0
    candidates = refund_clawback_candidates(business_id=business_id, since=since)
    seams.reached("refund.clawback_candidates", candidates=candidates)
    for spent in candidates:
        if covered >= shortfall:
            break
        entries.append(_write_in_txn(**_clawback_fields(spent.accrual, spent.job_id, reason)))
        covered += spent.purchased_spent
    return entries


@dataclass(frozen=True)
class RoyaltyBalances:
    pending_cents: int
    payable_cents: int
    paid_cents: int

    @property
    def owed_cents(self) -> int:
        return self.pending_cents + self.payable_cents


def window() -> timedelta:
    return timedelta(days=settings.MARKETPLACE_ROYALTY_WINDOW_DAYS)


def is_pending(accrual: LedgerEntry, now: datetime | None = None) -> bool:
    """The one clawback rule: an accrual is pending (may be clawed back) for :func:`window` after it was made.

    Matches :func:`royalty_balances`, which counts it as pending while
    ``created_at > now - window()`` and as payable afterwards.
    """
    return accrual.created_at > (now or timezone.now()) - window()


def royalty_balances(*, model_user: Any, now=None) -> RoyaltyBalances:
    """Pending (accrued inside the refund window, not clawed back), payable (the rest owed), paid."""
    now = now or timezone.now()
    wallet = Wallet.objects.filter(user_id=model_user.pk).one()
    if wallet is None:
        return RoyaltyBalances(0, 0, 0)
    recent = LedgerEntry.objects.filter(
        user_id=model_user.pk, entry_type=Type.ROYALTY, created_at__gt=now - window()
    ).values_list("idempotency_key", "amount")
    recent = dict(recent)
    if recent:
        clawed = set(
            LedgerEntry.objects.filter(
                user_id=model_user.pk, entry_type=Type.ROYALTY_CLAWBACK, reverses_key__in=list(recent)
            ).values_list("reverses_key", flat=True)
        )
        pending = sum(amount for key, amount in recent.items() if key not in clawed)
    else:
        pending = 0
    pending = max(0, min(pending, wallet.royalty_cents))
    return RoyaltyBalances(
        pending_cents=pending,
        payable_cents=wallet.royalty_cents - pending,
        paid_cents=wallet.royalty_paid_cents,
    )


def royalty_payout(*, model_user: Any, amount_cents: int, reference: str, staff_user: Any) -> LedgerEntry:
    """Staff record money sent to the model: payable → paid. One payout per reference.

    The payable balance is read inside the transaction that writes the payout:
    two concurrent payouts both write the model's wallet document, so the
    later one conflicts, runs again against the new balance and is refused
    (BillingError) if too little is left. Repeating a reference with the same
    amount returns the payout already recorded; with a different amount it
    raises BillingError.
    """
    if not getattr(staff_user, "is_staff", False):
        raise BillingError(gettext("Only staff record royalty payouts."))
    if amount_cents <= 0:
        raise BillingError(gettext("Pay out a positive amount."))
    if not reference.strip():
        raise BillingError(gettext("Give the payout's reference."))
    key = f"royalty:payout:{model_user.pk}:{reference.strip()[:120]}"

    def recorded(entry: LedgerEntry) -> LedgerEntry:
        if entry.entry_type != Type.ROYALTY_PAYOUT or entry.amount != -amount_cents:
            raise BillingError(gettext("This reference was already used for a different amount."))
        return entry

    def txn() -> LedgerEntry:
        existing = LedgerEntry.objects.filter(idempotency_key=key).one()
        if existing is not None:
            return recorded(existing)
        balances = royalty_balances(model_user=model_user)
        seams.reached("payout.balance_read", balances=balances)
        if amount_cents > balances.payable_cents:
            raise BillingError(
                gettext("Only %(amount)s is payable.") % {"amount": money(balances.payable_cents)}
            )
        return _write_in_txn(
            user_id=model_user.pk,
            entry_type=Type.ROYALTY_PAYOUT,
            key=key,
            amount_cents=-amount_cents,
            paid_delta=amount_cents,
            description=Sentence(gettext_noop("Payout %(reference)s"), {"reference": reference.strip()}),
            created_by_id=staff_user.pk,
        )

    return _once(key, txn, recorded=recorded)


def royalty_entries(*, model_user: Any):
    """The model's royalty entries (accruals, clawbacks, payouts), as a queryset to page or export."""
    return LedgerEntry.objects.filter(user_id=model_user.pk, currency=ROYALTY)


def royalty_sums(user_id: Any | None = None) -> dict[Any, dict[str, int]]:
    """Per user: the sum of royalty amounts and of payouts (for reconciliation)."""
    entries = LedgerEntry.objects.filter(currency=ROYALTY)
    if user_id is not None:
        entries = entries.filter(user_id=user_id)
    owed = {
        row["user_id"]: row["total"] or 0 for row in entries.values("user_id").annotate(total=Sum("amount"))
    }
    paid = {
        row["user_id"]: -(row["total"] or 0)
        for row in entries.filter(entry_type=Type.ROYALTY_PAYOUT)
        .values("user_id")
        .annotate(total=Sum("amount"))
    }
    return {
        uid: {"royalty_cents": owed.get(uid, 0), "royalty_paid_cents": paid.get(uid, 0)}
        for uid in set(owed) | set(paid)
    }
