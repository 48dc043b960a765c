"""Replicate webhooks: recorded once when they arrive, then applied to their job or training run."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError

from generation import ending
from generation.models import (
    Job,
    WebhookEvent,
)
from generation.running import apply_result
from generation.training import training_apply_webhook

logger = logging.getLogger(__name__)

Status = Job.Status
Reason = Job.RefundReason


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
    # The Replicate SDK loads only where Replicate is used (as generation.providers does).
    from generation.providers.replicate import result_from_prediction

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
