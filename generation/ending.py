"""How a job ends without its outputs: the one transaction both job services and consent call.

The ground floor of the generation app: it imports neither ``generation.services``
nor the marketplace, so ``generation.marketplace.consent`` can end the jobs of a
revoked pair without reaching back up into the job services (which import consent
to stamp a delivery).

**End without outputs** (failed, canceled, expired, empty or unsafe output): the
status change from an active state and the refund commit in one transaction; the
refund's key ``gen:<id>:refund`` is unique in the ledger, and the same transaction
gives the job's in-flight slot back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from billing.models import LedgerEntry
from billing.services import credits_refund
from generation.models import GenerationSlots, Image, Job, JobEvent
from modelsnapper import queue
from modelsnapper.db import run_in_transaction
from modelsnapper.notices import notify_after_commit
from modelsnapper.sentences import Sentence, written

logger = logging.getLogger(__name__)

Status = Job.Status
Reason = Job.RefundReason

_TIMESTAMP = {
    Status.FAILED: "failed_at",
    Status.CANCELED: "canceled_at",
    Status.EXPIRED: "expired_at",
}


def now() -> datetime:
    return timezone.now()


def lease() -> timedelta:
    """How long a claim or a finalisation holds before another worker may take it over."""
    return timedelta(seconds=settings.GENERATION_CLAIM_LEASE_SECONDS)


def event_add(job_id: Any, name: str, message: str | Sentence = "") -> None:
    """A timeline line: a fixed message marked with gettext_noop, or a Sentence with numbers
    (stored in English with its parameters, shown in the reader's language)."""
    text, sentence = written(message)
    JobEvent.objects.create(job_id=job_id, name=name, message=text[:300], sentence=sentence)


def enqueue(task_name: str, *args: Any) -> None:
    """Send one of generation's tasks by name (tasks are the outer layer: they import the
    services); a broker outage is logged, and the poller re-sends pending work."""
    try:
        queue.enqueue(f"generation.tasks.{task_name}", *args)
    except Exception:
        logger.exception("could not enqueue %s%r", task_name, args)


def slot_release(user_id: Any) -> None:
    """Give a job's slot back; called only by the transaction that ends the job (exactly once)."""
    GenerationSlots.objects.filter(user_id=user_id, in_flight__gt=0).update(in_flight=F("in_flight") - 1)


def discard_outputs(job_id: Any) -> int:
    """Delete the never-delivered outputs of a job that did not complete (rows and files)."""
    discarded = 0
    for image in Image.objects.filter(job_id=job_id, delivered=False):
        image.file.delete(save=False)
        image.delete()
        discarded += 1
    return discarded


def job_end(
    job: Job, *, status: str, reason: str, error: str, detail: str = "", finalise_token: str = ""
) -> bool:
    """Move an active job to failed/canceled/expired and refund it, atomically, once.

    Returns False when the job had already ended (or another worker is storing
    its outputs right now): then nothing changes.
    """
    started = now()
    # What the refund will give back, read before the transaction: the charge never changes.
    # Each document is written once per transaction (a second write to the job document
    # inside it could queue behind a concurrent finaliser's update on some servers).
    charge = LedgerEntry.objects.filter(
        idempotency_key=job.charge_key, entry_type=LedgerEntry.Type.USAGE
    ).first()
    refundable = abs(charge.amount) if charge is not None else 0
    # The ledger and the job's events keep the reason in English (stored text) with its msgid,
    # shown in the reader's language; the one reason marked with a context carries it.
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Job.RefundReason(reason).label)
    reason_msgid = f"refund reason\x04{label}" if reason == Job.RefundReason.CANCELED else label

    def txn() -> bool:
        active = Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE)
        if finalise_token:
            active = active.filter(finalise_token=finalise_token)
        else:
            active = active.filter(Q(finalise_token="") | Q(finalise_started_at__lt=started - lease()))
        changed = active.update(
            status=status,
            refund_reason=reason,
            error=error[:300],
            error_detail=detail[:5000],
            credits_refunded=refundable,
            **{_TIMESTAMP[status]: started},
        )
        if changed != 1:
            return False
        slot_release(job.user_id)
        if charge is not None:
            credits_refund(
                charge_key=job.charge_key,
                idempotency_key=job.refund_key,
                reason=Sentence(reason_msgid),
            )
        event_add(
            job.pk,
            status,
            Sentence(
                gettext_noop("%(reason)s. Refunded %(count)s credit."),
                {"reason_msgid": reason_msgid, "count": refundable},
                plural=gettext_noop("%(reason)s. Refunded %(count)s credits."),
            ),
        )
        job_notify_ended(job, status=status, refunded=refundable)
        return True

    ended = run_in_transaction(txn)
    if ended:
        logger.info("job %s ended %s (%s)", job.pk, status, reason)
        discard_outputs(job.pk)
    return ended


# How a job ended, told with its prompt and without one (an edit may have none); a completed
# job counts its images.
_ENDED_HOW = {
    Status.COMPLETED: (
        (
            gettext_noop("Your image from “%(prompt)s” is ready."),
            gettext_noop("Your images from “%(prompt)s” are ready."),
        ),
        (gettext_noop("Your image is ready."), gettext_noop("Your images are ready.")),
    ),
    Status.FAILED: (
        (gettext_noop("Your image from “%(prompt)s” could not be made."), ""),
        (gettext_noop("Your image could not be made."), ""),
    ),
    Status.CANCELED: (
        (gettext_noop("Your image from “%(prompt)s” was canceled."), ""),
        (gettext_noop("Your image was canceled."), ""),
    ),
    Status.EXPIRED: (
        (gettext_noop("Your image from “%(prompt)s” took too long and was stopped."), ""),
        (gettext_noop("Your image took too long and was stopped."), ""),
    ),
}


def refunded_sentence(credits: int) -> Sentence:
    """The sentence a notice ends with when its job or training gave credits back."""
    return Sentence(
        gettext_noop("Your %(count)s credit was refunded."),
        {"count": credits},
        plural=gettext_noop("Your %(count)s credits were refunded."),
    )


def job_notify_ended(job: Job, *, status: str, refunded: int = 0, images: int = 1) -> None:
    """Tell the owner how their job ended, from inside the one transaction that ended it: the
    notice is queued when (and only if) it commits, and its key ``gen:<id>:ended`` keeps it to one."""
    prompt = " ".join(job.prompt.split())
    with_prompt, without_prompt = _ENDED_HOW[status]
    singular, plural = with_prompt if prompt else without_prompt
    refund = refunded_sentence(refunded) if refunded and status != Status.COMPLETED else None
    text = Sentence(
        singular,
        {"prompt": f"{prompt[:60]}{'…' if len(prompt) > 60 else ''}", "count": images}
        if prompt
        else {"count": images},
        plural=plural,
        then=refund,
    )
    notify_after_commit(
        recipient_id=job.user_id,
        kind="generation_complete",
        text=text,
        url=reverse("generation:job", args=[job.pk]),
        key=f"gen:{job.pk}:ended",
    )


def cancel_at_provider_if_started(job: Job, ended: bool) -> None:
    if ended and (job.provider_job_id or Job.objects.filter(pk=job.pk).exclude(provider_job_id="").exists()):
        enqueue("cancel_at_provider", str(job.pk))


def job_end_consent_revoked(*, job: Job, finalise_token: str = "") -> bool:
    """Cancel and refund a job whose model withdrew consent (once); its outputs are never delivered,
    and the provider is told to stop making the likeness."""
    ended = job_end(
        job,
        status=Status.CANCELED,
        reason=Reason.CONSENT_REVOKED,
        finalise_token=finalise_token,
        error=gettext_noop(
            "The model withdrew their consent, so this image was not delivered. Your credits were refunded."
        ),
    )
    cancel_at_provider_if_started(job, ended)
    return ended
