from celery import shared_task
from django.db import connections
from django.utils import timezone

HEARTBEATS = "beat_heartbeat"


@shared_task
def beat_heartbeat() -> None:
    """Scheduled by beat, run by a worker: /healthz shows when the whole pipeline last turned."""
    connections["default"].database[HEARTBEATS].update_one(
        {"_id": "beat"}, {"$set": {"ran_at": timezone.now()}}, upsert=True
    )
