"""Run and finish a generation job, each exactly once (see ``generation.services`` for how).

A Celery task claims the job and asks the provider (``job_run``); the provider's
news, from a webhook or the poller, arrives as a ``Result`` (``apply_result``);
a completion stores the outputs and delivers them (``job_finalise``); anything
else ends the job through ``generation.ending``.
"""

from __future__ import annotations

import io
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.db.models import F, Q
from django.utils.translation import gettext_noop, pgettext_lazy
from PIL import Image as PILImage

from accounts.models import User
from billing.services import royalty_accrue
from billing.services.coins import Reward, coins_reward
from generation import ending, selectors
from generation.callback import webhook_url
from generation.ending import event_add, job_end, job_end_consent_revoked
from generation.fetch import DownloadError, UnsafeURL, check_url, download
from generation.marketplace import eligibility
from generation.marketplace.consent import consent_hold
from generation.marketplace.selectors import likeness_images
from generation.models import (
    Image,
    Job,
    ProviderStats,
)
from generation.provenance.signing import sign_output
from generation.providers import ProviderError, Result, get_provider, provider_name_for
from generation.providers.base import CANCELED, FAILED, RUNNING, SUCCEEDED
from generation.quality import image_measure, quality_score
from modelsnapper import seams
from modelsnapper.db import run_in_transaction
from modelsnapper.images import validate_image_upload
from modelsnapper.picture_sources import picture_variants_store
from modelsnapper.sentences import CONTEXT, Sentence

logger = logging.getLogger(__name__)

# A running job's timeline says what the provider reports ("The model is processing."), through
# our own word for the status, translated when shown: the statuses Replicate (and the local
# provider) report while a job runs, marked so the catalog translates them. A status not listed
# here (one the service adds later) gets a fixed sentence instead: a reader never sees the
# provider's raw word.
PROVIDER_STATUS_CONTEXT = "provider status"
PROVIDER_STATUSES = {
    "starting": pgettext_lazy("provider status", "starting"),
    "processing": pgettext_lazy("provider status", "processing"),
    "queued": pgettext_lazy("provider status", "queued"),
}


def provider_status_sentence(provider_status: str) -> Sentence:
    """The timeline sentence for a running job's ``provider_status``."""
    if provider_status in PROVIDER_STATUSES:
        return Sentence(
            gettext_noop("The model is %(status)s."),
            {"status_msgid": f"{PROVIDER_STATUS_CONTEXT}{CONTEXT}{provider_status}"},
        )
    return Sentence(gettext_noop("The image service reported a new status."))


Status = Job.Status
Reason = Job.RefundReason


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
    seams.reached("completion.consent_checked", job=job)
    if refusal:
        return refusal
    held = consent_hold(job.consent_request_id, stamp="last_delivered_at")
    return "" if held else str(eligibility.REVOKED)


# --- run --------------------------------------------------------------------------


def job_claim(job_id: Any) -> str | None:
    """Take a pending job (or a dead worker's) for this worker: its claim token, or None.

    The claim and its timeline line are one transaction: a worker killed between two
    separate writes would leave a processing job that never says who picked it up."""
    now = ending.now()
    token = uuid.uuid4().hex

    def claim() -> str | None:
        if Job.objects.filter(pk=job_id, status=Status.PENDING).update(
            status=Status.PROCESSING,
            started_at=now,
            claim_token=token,
            claimed_at=now,
            last_provider_update_at=now,
        ):
            event_add(job_id, "started", gettext_noop("A worker picked it up."))
            return token
        # The worker that held it died before the provider accepted the job.
        if Job.objects.filter(
            pk=job_id,
            status=Status.PROCESSING,
            provider_job_id="",
            finalise_token="",
            claimed_at__lt=now - ending.lease(),
        ).update(claim_token=token, claimed_at=now, last_provider_update_at=now):
            event_add(
                job_id, "restarted", gettext_noop("The previous worker stopped; another one took over.")
            )
            return token
        return None

    return run_in_transaction(claim)


def _load(job_id: Any) -> Job:
    return Job.objects.prefetch_related("ai_model", "source_image", "personal_model").get(pk=job_id)


def job_run(job_id: Any, *, retries_left: int = 0) -> str:
    """Run one job (the Celery task's body). Safe to call any number of times.

    Returns "retry" when the provider could not be reached and ``retries_left``
    allows another attempt: the job is back to pending, nothing was charged twice.
    """
    token = job_claim(job_id)
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
            event_add(
                job.pk, "retrying", gettext_noop("The image service did not answer; trying again shortly.")
            )
            return "retry"
        job_end(
            job,
            status=Status.FAILED,
            reason=Reason.PROVIDER_ERROR,
            error=gettext_noop("The image service could not be reached. Your credits were refunded."),
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
            event_add(
                job.pk,
                "provider",
                provider_status_sentence(result.provider_status),
            )
        return "running"
    if result.status == SUCCEEDED:
        if not result.outputs:
            ended = job_end(
                job,
                status=Status.FAILED,
                reason=Reason.NO_OUTPUT,
                error=gettext_noop("The model finished without an image. Your credits were refunded."),
                detail=f"provider said {result.provider_status or 'succeeded'} with no output",
            )
            return "failed" if ended else "noop"
        return job_finalise(job, result)
    if result.status == FAILED:
        ended = job_end(
            job,
            status=Status.FAILED,
            reason=Reason.PROVIDER_FAILED,
            error=gettext_noop("The model could not make this image. Your credits were refunded."),
            detail=result.error,
        )
        return "failed" if ended else "noop"
    if result.status == CANCELED:
        ended = job_end(
            job,
            status=Status.CANCELED,
            reason=Reason.PROVIDER_CANCELED,
            error=gettext_noop("The image service canceled this job. Your credits were refunded."),
            detail=result.provider_status,
        )
        return "canceled" if ended else "noop"
    raise ValueError(f"unknown result status {result.status!r}")


# --- finish -----------------------------------------------------------------------


def outputs_store(job: Job, blobs: list[bytes], image_type: str, *, trusted: bool = False) -> list[Image]:
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
            # Measured once, here, from the picture as stored (generation.quality); unrated yet.
            measure = image_measure(picture)
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
            quality_measure=measure,
            quality_score=quality_score(measure),
        )
        image.file.save(f"{job.pk}-{index}.{extension}", clean, save=False)
        try:
            image.save(force_insert=True)
        except IntegrityError:
            image.file.storage.delete(image.file.name)  # another finaliser stored this output first
            continue
        # Made from the signed file: the original alone carries the Content Credentials; the
        # variants are derivatives a page shows. Only the winning insert makes them.
        picture_variants_store(obj=image)
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
            error=gettext_noop("The result could not be fetched safely. Your credits were refunded."),
            detail=str(exc),
        )
        return "failed"
    except DownloadError as exc:  # DNS or the download failed: release the claim, the poller retries
        Job.objects.filter(pk=job.pk, finalise_token=token).update(
            finalise_token="", finalise_started_at=None, last_provider_update_at=ending.now()
        )
        event_add(job.pk, "retrying", gettext_noop("Copying the result failed; trying again shortly."))
        logger.warning("job %s: download failed: %s", job.pk, exc)
        return "retry"
    download_ms = int((ending.now() - started).total_seconds() * 1000)

    image_type = Image.Type.EDITED if job.source_image_id else Image.Type.GENERATED
    try:
        trusted = job.provider == "local" and all(output.data is not None for output in result.outputs)
        outputs_store(job, blobs, image_type, trusted=trusted)
        seams.reached("outputs.stored", job=job)
    except ValidationError as exc:
        job_end(
            job,
            status=Status.FAILED,
            reason=Reason.BAD_OUTPUT,
            finalise_token=token,
            error=gettext_noop(
                "The model returned something that is not a valid image. Your credits were refunded."
            ),
            detail="; ".join(exc.messages),
        )
        return "failed"

    stats = ProviderStats(
        predict_seconds=result.predict_seconds,
        download_ms=download_ms,
        output_bytes=sum(len(blob) for blob in blobs),
        provider_status=result.provider_status,
        cost_cents=selectors.exact_cents((job.ai_model.default_parameters or {}).get("cost_cents")),
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
            ending.job_notify_ended(job, status=Status.COMPLETED, images=len(blobs))
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
    event_add(
        job.pk,
        "completed",
        Sentence(
            gettext_noop("%(count)s image ready."),
            {"count": len(blobs)},
            plural=gettext_noop("%(count)s images ready."),
        ),
    )
    # Only the finaliser whose conditional update completed the job gets here; the reward's
    # ledger key (once per user) makes every later completion pay nothing.
    coins_reward(user=job.user, reward=Reward.FIRST_GENERATION, related=job)
    return "completed"


def job_cancel_at_provider(job_id: Any) -> None:
    job = _load(job_id)
    if not job.provider_job_id:
        return
    try:
        get_provider(job.provider or provider_name_for(job.ai_model)).cancel(job)
    except ProviderError as exc:
        logger.warning("job %s: provider cancel failed: %s", job.pk, exc)
