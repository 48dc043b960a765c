"""Generation services: submit, run, finalise, cancel, expire — each exactly once.

How "exactly once" holds without locks:

- **Run.** A task claims its job with ``filter(pk, status="pending").update(...)``;
  only the delivery that changes one document calls the provider. A claim whose
  worker died (no provider job id after ``GENERATION_CLAIM_LEASE_SECONDS``) may be
  taken over, so a SIGKILLed worker never strands a job.
- **Store outputs.** Whoever sets ``finalise_token`` on an active job stores the
  outputs and completes it; a unique index on (job, output index) is the backstop
  against a second copy.
- **End without outputs** (failed, canceled, expired, empty or unsafe output):
  ``generation.ending.job_end``, which consent calls too when a model revokes.
- **In-flight cap.** Submission takes a slot on the user's ``GenerationSlots``
  counter with a conditional increment in the transaction that inserts and
  charges the job; the transaction that ends the job (either of the two above)
  gives it back. The sweeper corrects a counter that drifted.

Where each part lives (lowest first): ``errors``, ``callback`` (the webhook address),
``slots`` (the cap), ``ending`` (a job ends once); ``running`` (claim, ask the provider,
apply its result, store and deliver outputs); ``webhooks`` and ``polling`` (the provider's
news arriving, or fetched when it does not); this module (submit, cancel, refund, images).
"""

from __future__ import annotations

import io
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext, gettext_noop
from PIL import Image as PILImage

from billing import services as billing_services
from billing.models import LedgerEntry
from billing.services import credits_charge, credits_refund, wallet_for
from billing.services.coins import coins_remix_earn
from generation import ending
from generation.ending import event_add, job_end
from generation.errors import GenerationError, RateLimited
from generation.marketplace import eligibility
from generation.marketplace.consent import consent_hold
from generation.models import (
    AIAvatar,
    AIModel,
    Image,
    Job,
    Kind,
)

# Re-exported: callers (tests, benchmarks) reach the job's whole life as ``services.X``.
from generation.polling import poll_providers, sweep_stalled_jobs  # noqa: F401
from generation.pricing import job_cost
from generation.providers import provider_name_for
from generation.quality import job_quality_rescore
from generation.running import apply_result, job_finalise, job_run  # noqa: F401 (re-exported)
from generation.slots import slot_claim, slots_ensure
from modelsnapper import ratelimit, seams
from modelsnapper.db import run_in_transaction
from modelsnapper.picture_sources import picture_variants_store
from modelsnapper.sentences import Sentence

logger = logging.getLogger(__name__)
UsageKind = LedgerEntry.UsageKind

Status = Job.Status
Reason = Job.RefundReason


# --- submit ---------------------------------------------------------------------


@dataclass
class JobParameters:
    negative_prompt: str = ""
    style: str = ""
    aspect_ratio: str = Job.AspectRatio.SQUARE
    quality: str = Job.Quality.STANDARD
    num_outputs: int = 1
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None


def _check_rate(user) -> None:
    if not ratelimit.hit(
        "generate", str(user.pk), limit=settings.GENERATION_RATE_LIMIT, window=settings.GENERATION_RATE_WINDOW
    ):
        window = settings.GENERATION_RATE_WINDOW
        raise RateLimited(
            "You are generating too fast. "
            + ("Wait a minute, then try again." if window == 60 else f"Try again in {window} seconds."),
            retry_after=window,
        )


def job_submit(
    *,
    user,
    ai_model: AIModel,
    prompt: str,
    parameters: JobParameters | None = None,
    source_image: Image | None = None,
    personal_model=None,
    human_model=None,
    avatar: AIAvatar | None = None,
    category: str = "",
    queue: bool = True,
    remix_of: Image | None = None,
) -> Job:
    """Create a job, charge for it and queue it, or raise and write nothing.

    ``queue=False`` leaves the job queued without sending it to a worker (demo data that must
    stay where it is put; a live worker's poller then picks it up like any quiet job).

    ``human_model`` (a model user) or ``avatar`` makes it a marketplace job: every
    rule (business role, package access, approved consent, signed release, scope)
    is checked before anything is charged. Raises RateLimited, GenerationError,
    or billing's InsufficientCredits.

    ``remix_of``: someone else's public image this remixes (``prefill.remix_source`` decided
    the viewer may); recorded on the job, and its creator earns coins once the job is in.
    """
    params = parameters or JobParameters()
    if not ai_model.is_active:
        raise GenerationError(gettext("This model is not available any more."))
    if source_image is not None and source_image.user_id != user.pk:
        raise GenerationError(gettext("Pick one of your own images."))
    if source_image is not None and not ai_model.takes_source_image:
        raise GenerationError(
            gettext("%(model)s cannot start from a picture. Pick another model.") % {"model": ai_model.name}
        )
    marketplace = _marketplace_fields(
        user=user, ai_model=ai_model, human_model=human_model, avatar=avatar, category=category
    )
    _check_rate(user)
    wallet_for(user)
    slots_ensure(user.pk)
    cost = job_cost(ai_model=ai_model, num_outputs=params.num_outputs, quality=params.quality)
    kind = Kind.PERSONAL if personal_model is not None else ai_model.kind
    if source_image is not None and kind == Kind.TEXT_TO_IMAGE:
        kind = Kind.IMAGE_TO_IMAGE  # a text-to-image model started from a picture (the create page)
    now = ending.now()
    seed = params.seed if params.seed is not None else random.randrange(2**31)

    def txn() -> Job:
        consent = marketplace.get("consent_request")
        if consent is not None and not consent_hold(consent.pk, stamp="last_submitted_at"):
            # A revocation committed meanwhile: refused here, with nothing charged.
            raise GenerationError(gettext("This model revoked their consent for your business."))
        # The slot, the job and the charge commit together or not at all.
        slot_claim(user.pk)
        job = Job.objects.create(
            user=user,
            kind=kind,
            ai_model=ai_model,
            personal_model=personal_model,
            prompt=prompt,
            negative_prompt=params.negative_prompt,
            style=params.style,
            aspect_ratio=params.aspect_ratio,
            quality=params.quality,
            num_outputs=params.num_outputs,
            seed=seed,
            steps=params.steps,
            guidance=params.guidance,
            source_image=source_image,
            remix_of=remix_of,
            credits_charged=cost,
            provider=provider_name_for(ai_model),
            submitted_at=now,
            deadline_at=now + timedelta(seconds=settings.GENERATION_IMAGE_DEADLINE_SECONDS),
            **marketplace,
        )
        credits_charge(
            user=user,
            amount=cost,
            idempotency_key=job.charge_key,
            description=f"{ai_model.name}: {prompt[:80]}",
            related=job,
            # The ledger tells edits from generations (seed 002) and names the model charged.
            usage_kind=UsageKind.IMAGE_EDIT if kind == Kind.IMAGE_EDIT else UsageKind.IMAGE_GENERATION,
            ai_model=ai_model.name,
        )
        event_add(
            job.pk,
            "submitted",
            Sentence(
                gettext_noop("Charged %(count)s credit."),
                {"count": cost},
                plural=gettext_noop("Charged %(count)s credits."),
            ),
        )
        if queue:
            job_id = str(job.pk)
            transaction.on_commit(lambda: ending.enqueue("run_job", job_id))
        return job

    job = run_in_transaction(txn)
    AIModel.objects.filter(pk=ai_model.pk).update(usage_count=F("usage_count") + 1, last_used_at=now)
    if remix_of is not None:
        # After the commit: a refused submission earns nobody anything.
        coins_remix_earn(job=job)
    return job


def _marketplace_fields(*, user, ai_model: AIModel, human_model, avatar, category: str) -> dict[str, Any]:
    """The job fields of a marketplace generation, or raise GenerationError (nothing charged).

    Whether it is allowed is the marketplace rule's call (``generation.marketplace.eligibility``).
    """
    check = eligibility.submission_verdict(
        user=user, ai_model=ai_model, human_model=human_model, avatar=avatar, category=category
    )
    if check.refusal:
        raise GenerationError(check.refusal)
    seams.reached("submission.checked", user=user)
    if human_model is None and avatar is None:
        return {}
    if avatar is not None:
        return {"model_type": Job.ModelType.AI_AVATAR, "avatar": avatar, "category": category}
    return {
        "model_type": Job.ModelType.HUMAN_MODEL,
        "human_model": human_model,
        "category": category,
        "release_version": check.profile.release_version,
        "consent_request": check.request,
    }


def job_refund_completed(*, job: Job, reason: str = "Refunded") -> bool:
    """Refund a completed generation's credits (staff, or a charge refund) and claw back its royalty.

    Each happens once per job however often this runs. Returns True when a credit refund exists.
    """
    if job.status != Status.COMPLETED:
        raise GenerationError(
            gettext("Only a completed generation is refunded this way; cancel a running one.")
        )

    def txn():
        entry = credits_refund(charge_key=job.charge_key, idempotency_key=job.refund_key, reason=reason)
        if entry is not None:
            Job.objects.filter(pk=job.pk).update(credits_refunded=abs(entry.amount))
        if job.model_type == Job.ModelType.HUMAN_MODEL:
            billing_services.royalty_clawback(job_id=job.pk, reason=reason)
        return entry

    # One transaction: the business never has its credits back while the model keeps the royalty.
    return run_in_transaction(txn) is not None


# --- cancel -----------------------------------------------------------------------


def job_cancel(*, job: Job) -> bool:
    """The owner cancels a queued or running job: refunded, and the provider told."""
    ended = job_end(
        job,
        status=Status.CANCELED,
        reason=Reason.CANCELED,
        error=gettext_noop("You canceled this generation. Your credits were refunded."),
    )
    ending.cancel_at_provider_if_started(job, ended)
    return ended


# --- images -----------------------------------------------------------------------


def image_upload(*, user, upload: ContentFile, original_filename: str = "") -> Image:
    """Store an already validated upload (``validate_image_upload``) as the user's image."""
    upload.seek(0)
    with PILImage.open(io.BytesIO(upload.read())) as picture:
        width, height = picture.size
    upload.seek(0)
    extension = upload.name.rsplit(".", 1)[-1]
    image = Image(
        user=user,
        image_type=Image.Type.UPLOADED,
        original_filename=original_filename[:255],
        file_format=extension,
        file_size=upload.size,
        width=width,
        height=height,
    )
    image.file.save(upload.name, upload, save=False)
    image.save()
    picture_variants_store(obj=image)
    return image


def image_set_public(*, image: Image, public: bool) -> None:
    Image.objects.filter(pk=image.pk).update(is_public=public)
    if image.job_id:
        Job.objects.filter(pk=image.job_id).update(is_public=public)


def user_images_make_private(*, user) -> int:
    """Every public image (and job) of ``user`` becomes private again, for a deleted account.

    The images are kept; only their owner could see them now. Returns how many images changed.
    """
    Job.objects.filter(user_id=user.pk, is_public=True).update(is_public=False)
    return Image.objects.filter(user_id=user.pk, is_public=True).update(is_public=False)


def job_rate(*, job: Job, rating: int) -> None:
    if not 1 <= rating <= 5:
        raise GenerationError(gettext("Rate from 1 to 5 stars."))
    if job.status != Status.COMPLETED:
        raise GenerationError(gettext("Only finished generations can be rated."))
    Job.objects.filter(pk=job.pk).update(rating=rating)
    job.rating = rating
    job_quality_rescore(job=job, rating=rating)  # the stars count for a fifth of the quality score
