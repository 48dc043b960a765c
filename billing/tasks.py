"""Celery tasks: take ids, call services."""

from celery import shared_task
from django.conf import settings


@shared_task(name="billing.tasks.reset_quotas", acks_late=True)
def reset_quotas() -> dict:
    """Daily beat task: start new allowance periods (idempotent, see services.quotas)."""
    from billing.services.quotas import quotas_reset

    report = quotas_reset(
        batch_size=settings.BILLING_RESET_BATCH_SIZE, workers=settings.BILLING_RESET_WORKERS
    )
    return {"due": report.due, "reset": report.reset, "skipped": report.skipped}


@shared_task(name="billing.tasks.process_stripe_event", acks_late=True)
def process_stripe_event(event_pk: str) -> str:
    """Re-apply a recorded Stripe event (admin replay)."""
    from billing.services.webhooks import event_process

    return event_process(event_pk=event_pk)
