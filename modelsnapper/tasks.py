from celery import shared_task
from django.db import connections
from django.utils import timezone

from modelsnapper import queue

HEARTBEATS = "beat_heartbeat"


@shared_task
def beat_heartbeat() -> None:
    """Scheduled by beat, run by a worker: /healthz shows when the whole pipeline last turned."""
    connections["default"].database[HEARTBEATS].update_one(
        {"_id": "beat"}, {"$set": {"ran_at": timezone.now()}}, upsert=True
    )


@shared_task(ignore_result=True)
def outbox_redrive() -> int:
    """Every minute: send again the queued tasks whose message was lost (modelsnapper.queue)."""
    return queue.outbox_redrive_due(now=timezone.now())
