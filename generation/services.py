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
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from PIL import Image as PILImage

from accounts.models import User
from billing.services import credits_charge, credits_refund, royalty_accrue, wallet_for
from generation import ending
from generation.ending import event_add, job_end, job_end_consent_revoked
from generation.fetch import DownloadError, UnsafeURL, check_url, download
from generation.marketplace import eligibility
from generation.marketplace.consent import consent_hold
from generation.marketplace.selectors import likeness_images
from generation.models import (
    AIAvatar,
    AIModel,
    GenerationSlots,
    Image,
    Job,
    Kind,
    ProviderStats,
    WebhookEvent,
)
from generation.pricing import job_cost
from generation.provenance.signing import sign_output
from generation.providers import ProviderError, Result, get_provider, provider_name_for
from generation.providers.base import CANCELED, FAILED, RUNNING, SUCCEEDED
from modelsnapper import ratelimit
from modelsnapper.db import run_in_transaction
from modelsnapper.images import validate_image_upload

logger = logging.getLogger(__name__)

Status = Job.Status
Reason = Job.RefundReason


class GenerationError(Exception):
    """A rule refused the request; the message is fit to show the person."""


class RateLimited(GenerationError):
    """Too many submissions or too many jobs in flight (answered with 429)."""


def webhook_url() -> str:
    return settings.SITE_URL + reverse("generation:replicate_webhook")


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
        raise RateLimited("You are generating too fast. Wait a minute, then try again.")


def _slots_ensure(user_id: Any) -> None:
    """Make the user's in-flight counter, starting from the jobs in flight now (once per user).

    Outside any transaction: a concurrent creator loses on the unique user index, harmlessly.
    """
    if GenerationSlots.objects.filter(user_id=user_id).exists():
        return
    in_flight = Job.objects.filter(user_id=user_id, status__in=Job.ACTIVE).count()
    with contextlib.suppress(IntegrityError):
        GenerationSlots.objects.create(user_id=user_id, in_flight=in_flight)


def _slot_claim(user_id: Any) -> None:
    """Take one in-flight slot, or raise RateLimited. Runs inside the submission's transaction.

    The cap is checked by the write itself (a conditional increment), so concurrent
    submissions conflict on this one document and the loser re-reads the new count.
    """
    cap = settings.GENERATION_MAX_IN_FLIGHT
    if not GenerationSlots.objects.filter(user_id=user_id, in_flight__lt=cap).update(
        in_flight=F("in_flight") + 1
    ):
        raise RateLimited(
            f"You already have {cap} generation{'s' if cap != 1 else ''} running. "
            "Wait for one to finish, then try again."
        )


def slots_reconcile() -> int:
    """Set every non-zero in-flight counter to the user's jobs in flight; returns how many were wrong.

    The sweeper's safety net for a counter made while a job ended. Each correction is one
    transaction that writes the counter, so it conflicts with (and never overwrites) a
    concurrent claim or release.
    """
    fixed = 0
    for user_id in GenerationSlots.objects.filter(in_flight__gt=0).values_list("user_id", flat=True):

        def txn(user_id=user_id) -> int:
            actual = Job.objects.filter(user_id=user_id, status__in=Job.ACTIVE).count()
            return (
                GenerationSlots.objects.filter(user_id=user_id)
                .exclude(in_flight=actual)
                .update(in_flight=actual)
            )

        fixed += run_in_transaction(txn)
    return fixed


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
) -> Job:
    """Create a job, charge for it and queue it, or raise and write nothing.

    ``human_model`` (a model user) or ``avatar`` makes it a marketplace job: every
    rule (business role, package access, approved consent, signed release, scope)
    is checked before anything is charged. Raises RateLimited, GenerationError,
    or billing's InsufficientCredits.
    """
    params = parameters or JobParameters()
    if not ai_model.is_active:
        raise GenerationError("This model is not available any more.")
    if source_image is not None and source_image.user_id != user.pk:
        raise GenerationError("Pick one of your own images.")
    marketplace = _marketplace_fields(
        user=user, ai_model=ai_model, human_model=human_model, avatar=avatar, category=category
    )
    _check_rate(user)
    wallet_for(user)
    _slots_ensure(user.pk)
    cost = job_cost(ai_model=ai_model, num_outputs=params.num_outputs, quality=params.quality)
    kind = Kind.PERSONAL if personal_model is not None else ai_model.kind
    now = ending.now()
    seed = params.seed if params.seed is not None else random.randrange(2**31)

    def txn() -> Job:
        consent = marketplace.get("consent_request")
        if consent is not None and not consent_hold(consent.pk, stamp="last_submitted_at"):
            # A revocation committed meanwhile: refused here, with nothing charged.
            raise GenerationError("This model revoked their consent for your business.")
        # The slot, the job and the charge commit together or not at all.
        _slot_claim(user.pk)
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
        )
        event_add(job.pk, "submitted", f"Charged {cost} credit{'s' if cost != 1 else ''}.")
        job_id = str(job.pk)
        transaction.on_commit(lambda: ending.enqueue("run_job", job_id))
        return job

    job = run_in_transaction(txn)
    AIModel.objects.filter(pk=ai_model.pk).update(usage_count=F("usage_count") + 1, last_used_at=now)
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


def job_consent_refusal(job: Job) -> str:
    """Why a HUMAN_MODEL job may no longer deliver its outputs ("" when it may, or not such a job).

    Called inside the completion's transaction. Besides reading the rules it
    writes ``last_delivered_at`` on the approved consent request: a revocation or
    scope change writes that document too, so whichever commits second conflicts,
    retries, and sees the other. A delivery can therefore never slip in between
    a revocation and the cancellation of the pair's jobs.
    """
    if job.model_type != Job.ModelType.HUMAN_MODEL:
        return ""
    if job.human_model_id is None:
        return "The model is no longer on ModelSnapper."
    model = User.objects.filter(pk=job.human_model_id).first()
    business = User.objects.filter(pk=job.user_id).first()
    if model is None or business is None:
        return "The model is no longer on ModelSnapper."
    # The same rule as at submission: role, listing, release, consent, scope, package.
    refusal = eligibility.human_model_verdict(business=business, model=model, category=job.category).refusal
    if refusal:
        return refusal
    held = consent_hold(job.consent_request_id, stamp="last_delivered_at")
    return "" if held else "This model revoked their consent for your business."


def job_refund_completed(*, job: Job, reason: str = "Refunded") -> bool:
    """Refund a completed generation's credits (staff, or a charge refund) and claw back its royalty.

    Each happens once per job however often this runs. Returns True when a credit refund exists.
    """
    from billing.services import royalty_clawback

    if job.status != Status.COMPLETED:
        raise GenerationError("Only a completed generation is refunded this way; cancel a running one.")

    def txn():
        entry = credits_refund(
            charge_key=job.charge_key, idempotency_key=job.refund_key, reason=f"{reason} (job {job.pk})"
        )
        if entry is not None:
            Job.objects.filter(pk=job.pk).update(credits_refunded=abs(entry.amount))
        if job.model_type == Job.ModelType.HUMAN_MODEL:
            royalty_clawback(job_id=job.pk, reason=reason)
        return entry

    # One transaction: the business never has its credits back while the model keeps the royalty.
    return run_in_transaction(txn) is not None


# --- run --------------------------------------------------------------------------


def _claim(job_id: Any) -> str | None:
    now = ending.now()
    token = uuid.uuid4().hex
    if Job.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.PROCESSING,
        started_at=now,
        claim_token=token,
        claimed_at=now,
        last_provider_update_at=now,
    ):
        event_add(job_id, "started", "A worker picked it up.")
        return token
    # The worker that held it died before the provider accepted the job.
    if Job.objects.filter(
        pk=job_id,
        status=Status.PROCESSING,
        provider_job_id="",
        finalise_token="",
        claimed_at__lt=now - ending.lease(),
    ).update(claim_token=token, claimed_at=now, last_provider_update_at=now):
        event_add(job_id, "restarted", "The previous worker stopped; another one took over.")
        return token
    return None


def _load(job_id: Any) -> Job:
    return Job.objects.prefetch_related("ai_model", "source_image", "personal_model").get(pk=job_id)


def job_run(job_id: Any, *, retries_left: int = 0) -> str:
    """Run one job (the Celery task's body). Safe to call any number of times.

    Returns "retry" when the provider could not be reached and ``retries_left``
    allows another attempt: the job is back to pending, nothing was charged twice.
    """
    token = _claim(job_id)
    if token is None:
        return "not-claimed"
    job = _load(job_id)
    provider = get_provider(provider_name_for(job.ai_model))
    Job.objects.filter(pk=job.pk, claim_token=token).update(
        provider=provider.name, provider_calls=F("provider_calls") + 1
    )
    try:
        result = provider.submit(job, webhook_url=webhook_url(), references=likeness_images(job))
    except ProviderError as exc:
        if (
            exc.retryable
            and retries_left > 0
            and Job.objects.filter(
                pk=job.pk, claim_token=token, status=Status.PROCESSING, provider_job_id=""
            ).update(status=Status.PENDING, claim_token="", claimed_at=None)
        ):
            event_add(job.pk, "retrying", "The image service did not answer; trying again shortly.")
            return "retry"
        job_end(
            job,
            status=Status.FAILED,
            reason=Reason.PROVIDER_ERROR,
            error="The image service could not be reached. Your credits were refunded.",
            detail=str(exc),
        )
        return "provider-error"
    if result.provider_job_id:
        Job.objects.filter(pk=job.pk, claim_token=token).update(
            provider_job_id=result.provider_job_id, last_provider_update_at=ending.now()
        )
        job.provider_job_id = result.provider_job_id
    return apply_result(job, result)


def apply_result(job: Job, result: Result) -> str:
    """Act on what the provider says (from the worker, a webhook or the poller)."""
    if result.status == RUNNING:
        changed = Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE).update(
            last_provider_update_at=ending.now()
        )
        if (
            changed
            and result.provider_status
            and result.provider_status != getattr(job.provider_stats, "provider_status", "")
        ):
            Job.objects.filter(pk=job.pk).update(
                provider_stats=ProviderStats(provider_status=result.provider_status)
            )
            event_add(job.pk, "provider", f"The model is {result.provider_status}.")
        return "running"
    if result.status == SUCCEEDED:
        if not result.outputs:
            ended = job_end(
                job,
                status=Status.FAILED,
                reason=Reason.NO_OUTPUT,
                error="The model finished without an image. Your credits were refunded.",
                detail=f"provider said {result.provider_status or 'succeeded'} with no output",
            )
            return "failed" if ended else "noop"
        return job_finalise(job, result)
    if result.status == FAILED:
        ended = job_end(
            job,
            status=Status.FAILED,
            reason=Reason.PROVIDER_FAILED,
            error="The model could not make this image. Your credits were refunded.",
            detail=result.error,
        )
        return "failed" if ended else "noop"
    if result.status == CANCELED:
        ended = job_end(
            job,
            status=Status.CANCELED,
            reason=Reason.PROVIDER_CANCELED,
            error="The image service canceled this job. Your credits were refunded.",
            detail=result.provider_status,
        )
        return "canceled" if ended else "noop"
    raise ValueError(f"unknown result status {result.status!r}")


# --- finish -----------------------------------------------------------------------


def _store_outputs(job: Job, blobs: list[bytes], image_type: str, *, trusted: bool = False) -> list[Image]:
    """Save outputs and their Image rows. ``trusted``: PNGs our own local provider drew.

    Anything from outside is verified, re-encoded and stripped of metadata by
    ``validate_image_upload`` (raises ValidationError).
    """
    images = []
    source = job.source_image
    for index, blob in enumerate(blobs):
        if trusted:
            clean = ContentFile(blob, name=f"{uuid.uuid4().hex}.png")
        else:
            clean = validate_image_upload(ContentFile(blob), max_bytes=settings.GENERATION_OUTPUT_MAX_BYTES)
        with PILImage.open(io.BytesIO(clean.read())) as picture:
            width, height = picture.size
        # Content Credentials go in before the file is stored; the provider's own, read from
        # the bytes as delivered (before the re-encoding above dropped them), become an ingredient.
        signed = sign_output(job=job, image=clean, as_delivered=None if trusted else blob)
        clean = signed.file
        extension = clean.name.rsplit(".", 1)[-1]
        image = Image(
            user_id=job.user_id,
            image_type=image_type,
            job=job,
            output_index=index,
            delivered=False,
            prompt=job.prompt,
            parent=source,
            original=(source.original or source) if source else None,
            file_format=extension,
            file_size=clean.size,
            width=width,
            height=height,
            credentials_label=signed.manifest_label,
            credentials_sha256=signed.manifest_sha256,
        )
        image.file.save(f"{job.pk}-{index}.{extension}", clean, save=False)
        try:
            image.save(force_insert=True)
        except IntegrityError:
            image.file.storage.delete(image.file.name)  # another finaliser stored this output first
            continue
        images.append(image)
    return images


def job_finalise(job: Job, result: Result) -> str:
    """Copy the outputs into our storage and complete the job, once."""
    now = ending.now()
    token = uuid.uuid4().hex
    claimed = (
        Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE)
        .filter(Q(finalise_token="") | Q(finalise_started_at__lt=now - ending.lease()))
        .update(finalise_token=token, finalise_started_at=now)
    )
    if not claimed:
        return "noop"
    started = ending.now()
    blobs: list[bytes] = []
    try:
        # Every address is checked before anything is fetched: one unsafe output fails the job.
        for output in result.outputs:
            if output.data is None:
                check_url(output.url)
        for output in result.outputs:
            blobs.append(output.data if output.data is not None else download(output.url))
    except UnsafeURL as exc:
        job_end(
            job,
            status=Status.FAILED,
            reason=Reason.UNSAFE_OUTPUT,
            finalise_token=token,
            error="The result could not be fetched safely. Your credits were refunded.",
            detail=str(exc),
        )
        return "failed"
    except DownloadError as exc:  # DNS or the download failed: release the claim, the poller retries
        Job.objects.filter(pk=job.pk, finalise_token=token).update(
            finalise_token="", finalise_started_at=None, last_provider_update_at=ending.now()
        )
        event_add(job.pk, "retrying", "Copying the result failed; trying again shortly.")
        logger.warning("job %s: download failed: %s", job.pk, exc)
        return "retry"
    download_ms = int((ending.now() - started).total_seconds() * 1000)

    image_type = Image.Type.EDITED if job.source_image_id else Image.Type.GENERATED
    try:
        trusted = job.provider == "local" and all(output.data is not None for output in result.outputs)
        _store_outputs(job, blobs, image_type, trusted=trusted)
    except ValidationError as exc:
        job_end(
            job,
            status=Status.FAILED,
            reason=Reason.BAD_OUTPUT,
            finalise_token=token,
            error="The model returned something that is not a valid image. Your credits were refunded.",
            detail="; ".join(exc.messages),
        )
        return "failed"

    stats = ProviderStats(
        predict_seconds=result.predict_seconds,
        download_ms=download_ms,
        output_bytes=sum(len(blob) for blob in blobs),
        provider_status=result.provider_status,
        cost_cents=(job.ai_model.default_parameters or {}).get("cost_cents"),
    )
    human = job.model_type == Job.ModelType.HUMAN_MODEL
    royalty = settings.MARKETPLACE_ROYALTY_CENTS if human and job.human_model_id is not None else 0
    refusal = ""

    def complete() -> int:
        nonlocal refusal
        refusal = job_consent_refusal(job)
        if refusal:
            return 0
        done = Job.objects.filter(pk=job.pk, finalise_token=token, status__in=Job.ACTIVE).update(
            status=Status.COMPLETED,
            completed_at=ending.now(),
            provider_stats=stats,
            error="",
            last_provider_update_at=ending.now(),
            royalty_cents=royalty,
        )
        if done:
            ending.slot_release(job.user_id)
            # The outputs (ours, or a crashed finaliser's of the same job) become visible
            # in the same commit as the completion, never before.
            Image.objects.filter(job_id=job.pk).update(delivered=True)
        if done and royalty:
            # Commits with the completion: a completion arriving twice finds the job ended,
            # and the ledger key royalty:<job>:accrue is the backstop.
            royalty_accrue(job_id=job.pk, model_user=job.human_model, amount_cents=royalty)
        return done

    done = run_in_transaction(complete)
    if refusal:
        # Consent changed while the job ran: withhold the outputs (job_end discards them),
        # cancel and refund.
        job_end_consent_revoked(job=job, finalise_token=token)
        event_add(job.pk, "withheld", refusal)
        return "withheld"
    if not done:
        # Our lease ran out and someone else ended the job. If it failed or was canceled,
        # what we stored meanwhile is nobody's output.
        if not Job.objects.filter(pk=job.pk, status=Status.COMPLETED).exists():
            ending.discard_outputs(job.pk)
        return "noop"
    event_add(job.pk, "completed", f"{len(blobs)} image{'s' if len(blobs) != 1 else ''} ready.")
    return "completed"


def job_cancel(*, job: Job) -> bool:
    """The owner cancels a queued or running job: refunded, and the provider told."""
    ended = job_end(
        job,
        status=Status.CANCELED,
        reason=Reason.CANCELED,
        error="You canceled this generation. Your credits were refunded.",
    )
    ending.cancel_at_provider_if_started(job, ended)
    return ended


def job_cancel_at_provider(job_id: Any) -> None:
    job = _load(job_id)
    if not job.provider_job_id:
        return
    try:
        get_provider(job.provider or provider_name_for(job.ai_model)).cancel(job)
    except ProviderError as exc:
        logger.warning("job %s: provider cancel failed: %s", job.pk, exc)


# --- webhook, poller, sweeper -----------------------------------------------------


def webhook_record(*, webhook_id: str, payload: dict) -> tuple[WebhookEvent, bool]:
    """Record a verified webhook once. Returns (event, needs_processing)."""
    try:
        event = WebhookEvent.objects.create(
            webhook_id=webhook_id, provider_job_id=str(payload.get("id") or "")[:100], payload=payload
        )
        return event, True
    except IntegrityError:
        event = WebhookEvent.objects.get(webhook_id=webhook_id)
        return event, event.status in (WebhookEvent.Status.RECEIVED, WebhookEvent.Status.FAILED)


def webhook_process(event_id: Any) -> str:
    """Apply a recorded Replicate webhook to its job or training run."""
    from generation.providers.replicate import result_from_prediction
    from generation.training import training_apply_webhook

    event = WebhookEvent.objects.get(pk=event_id)
    if event.status in (WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED):
        return "duplicate"
    job = (
        Job.objects.prefetch_related("ai_model", "source_image", "personal_model")
        .filter(provider_job_id=event.provider_job_id)
        .first()
        if event.provider_job_id
        else None
    )
    try:
        if job is not None:
            outcome = apply_result(job, result_from_prediction(event.payload))
        else:
            outcome = training_apply_webhook(event.payload)
    except Exception as exc:
        WebhookEvent.objects.filter(pk=event.pk).update(
            status=WebhookEvent.Status.FAILED, error=repr(exc)[:2000]
        )
        raise
    status = WebhookEvent.Status.IGNORED if outcome == "unknown" else WebhookEvent.Status.PROCESSED
    WebhookEvent.objects.filter(pk=event.pk).update(status=status, processed_at=ending.now(), error="")
    return outcome


def poll_providers(*, limit: int = 200) -> dict[str, int]:
    """Ask the provider about jobs with no news, and re-send jobs whose task was lost."""
    now = ending.now()
    quiet = now - timedelta(seconds=settings.GENERATION_POLL_AFTER_SECONDS)
    counts = {"polled": 0, "resent": 0}
    waiting = (
        Job.objects.filter(status=Status.PROCESSING, last_provider_update_at__lt=quiet)
        .exclude(provider_job_id="")
        .prefetch_related("ai_model", "source_image", "personal_model")[:limit]
    )
    for job in waiting:
        Job.objects.filter(pk=job.pk).update(last_provider_update_at=now)
        try:
            provider = get_provider(job.provider or provider_name_for(job.ai_model))
            references = likeness_images(job) if provider.fetch_needs_references else ()
            result = provider.fetch(job, references=references)
        except ProviderError as exc:
            logger.warning("poll of job %s failed: %s", job.pk, exc)
            continue
        counts["polled"] += 1
        if result.is_terminal:
            event_add(job.pk, "polled", "No webhook came; asked the provider.")
        apply_result(job, result)
    lost = list(
        Job.objects.filter(status=Status.PENDING, submitted_at__lt=quiet).values_list("pk", flat=True)[:limit]
    )
    lost += list(
        Job.objects.filter(
            status=Status.PROCESSING,
            provider_job_id="",
            finalise_token="",
            claimed_at__lt=now - ending.lease(),
        ).values_list("pk", flat=True)[:limit]
    )
    for job_id in lost:
        ending.enqueue("run_job", str(job_id))
        counts["resent"] += 1
    from generation.training import training_poll

    counts["trainings"] = training_poll(now=now, quiet=quiet)
    return counts


def sweep_stalled_jobs(*, now=None, dry_run: bool = False, should_stop=None) -> list[Job]:
    """Expire and refund every active job past its deadline. Returns the jobs expired.

    ``should_stop`` (a callable) lets a command finish the current job and return on SIGTERM.
    """
    now = now or ending.now()
    stalled = list(
        Job.objects.filter(status__in=Job.ACTIVE, deadline_at__lt=now).prefetch_related("ai_model")
    )
    if dry_run:
        return stalled
    expired = []
    for job in stalled:
        if should_stop is not None and should_stop():
            break
        if job_end(
            job,
            status=Status.EXPIRED,
            reason=Reason.EXPIRED,
            error="This took too long, so we stopped it. Your credits were refunded.",
        ):
            expired.append(job)
            if job.provider_job_id:
                ending.enqueue("cancel_at_provider", str(job.pk))
    slots_reconcile()
    from generation.training import training_sweep

    training_sweep(now=now)
    return expired


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
        raise GenerationError("Rate from 1 to 5 stars.")
    if job.status != Status.COMPLETED:
        raise GenerationError("Only finished generations can be rated.")
    Job.objects.filter(pk=job.pk).update(rating=rating)
