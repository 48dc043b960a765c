"""The background safety nets: ask the provider about quiet jobs, re-send lost ones, expire stalled ones.

Beat runs both every minute; ``manage.py sweep_stalled_jobs`` runs the sweeper by hand.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_noop

from generation import ending
from generation.ending import event_add, job_end
from generation.marketplace.selectors import likeness_images
from generation.models import (
    Job,
)
from generation.providers import ProviderError, get_provider, provider_name_for
from generation.running import apply_result
from generation.slots import slots_reconcile
from generation.training import training_poll, training_sweep

logger = logging.getLogger(__name__)

Status = Job.Status
Reason = Job.RefundReason


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
            event_add(job.pk, "polled", gettext_noop("No webhook came; asked the provider."))
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
            error=gettext_noop("This took too long, so we stopped it. Your credits were refunded."),
        ):
            expired.append(job)
            if job.provider_job_id:
                ending.enqueue("cancel_at_provider", str(job.pk))
    slots_reconcile()
    training_sweep(now=now)
    return expired
