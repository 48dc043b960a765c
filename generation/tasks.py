"""Celery tasks: take ids, call a service. Every one is safe to deliver twice."""

from celery import shared_task

from generation import cleanup, polling, running, training, webhooks
from generation.gallery import services as gallery_services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=3)
def run_job(self, job_id: str) -> str:
    outcome = running.job_run(job_id, retries_left=self.max_retries - self.request.retries)
    if outcome == "retry":
        # The provider did not answer: try again in 5, 10, 20 s, then fail and refund.
        raise self.retry(countdown=5 * 2**self.request.retries)
    return outcome


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def process_webhook_event(event_id: str) -> str:
    return webhooks.webhook_process(event_id)


@shared_task(ignore_result=True)
def cancel_at_provider(job_id: str) -> None:
    running.job_cancel_at_provider(job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_training(run_id: str) -> str:
    return training.training_run(run_id)


@shared_task(ignore_result=True)
def poll_providers() -> dict:
    return polling.poll_providers()


@shared_task(ignore_result=True)
def sweep_stalled_jobs() -> int:
    return len(polling.sweep_stalled_jobs())


@shared_task(ignore_result=True)
def purge_deleted_media() -> int:
    return len(gallery_services.images_purge_due())


@shared_task(ignore_result=True)
def maintenance_cleanup() -> dict:
    return cleanup.cleanup_run().counts
