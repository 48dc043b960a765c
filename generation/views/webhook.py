"""Replicate's webhook: verified, recorded once by id, processed in the background."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from replicate.webhook import Webhooks, WebhookSigningSecret

from generation import tasks, webhooks
from modelsnapper.observability import metrics

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def replicate_webhook(request):
    """Replicate's webhook: verify (Standard Webhooks), record once by id, process in the background."""
    response, duplicate = _replicate_webhook(request)
    metrics.webhook_result("replicate", response.status_code, duplicate=duplicate)
    return response


def _replicate_webhook(request) -> tuple[JsonResponse, bool]:
    body = request.body.decode("utf-8", errors="replace")
    headers = {
        name: request.headers.get(name, "")
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    try:
        Webhooks.validate(
            headers=headers,
            body=body,
            secret=WebhookSigningSecret(key=settings.REPLICATE_WEBHOOK_SECRET),
            tolerance=settings.REPLICATE_WEBHOOK_TOLERANCE,
        )
    except ValueError as exc:  # every validation error, bad base64 and bad timestamps are ValueErrors
        logger.warning("rejected Replicate webhook: %s", exc)
        return JsonResponse({"error": "invalid signature"}, status=400), False
    try:
        payload = json.loads(body)
    except ValueError:
        return JsonResponse({"error": "invalid JSON"}, status=400), False
    if not isinstance(payload, dict):
        return JsonResponse({"error": "expected an object"}, status=400), False
    event, needs_processing = webhooks.webhook_record(webhook_id=headers["webhook-id"], payload=payload)
    if needs_processing:
        try:
            tasks.process_webhook_event.delay(str(event.pk))
        except Exception:
            logger.exception("could not enqueue webhook %s", event.webhook_id)
            return JsonResponse({"error": "try again"}, status=503), False
    return JsonResponse({"ok": True, "duplicate": not needs_processing}), not needs_processing
