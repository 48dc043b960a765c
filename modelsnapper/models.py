"""The project's own documents: what every app stands on, importing none of them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SeedRecord(models.Model):
    """One document ``seed_demo`` created, so ``seed_demo --cleanup`` removes exactly those.

    ``key`` names what was seeded (``user:demo1``, ``post:demo1:2``...): a unique index,
    so seeding twice finds the first run's document instead of making another. The
    document is named by its model label and id, never imported: the apps record their
    own demo data here, the project package looks nothing up in them.
    """

    key = models.CharField(max_length=200, unique=True)
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=24)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.key} ({self.model} {self.object_id})"


class OutboxTask(models.Model):
    """A task sent to the broker and not yet run to success (``modelsnapper.queue``).

    Written before the message goes to Redis, deleted by the worker when the task succeeds
    (its Celery task id is this document's id). One still here after
    ``OUTBOX_REDRIVE_AFTER_SECONDS`` lost its message (a Redis restart, a refused send) and
    is sent again by the ``outbox_redrive`` beat task, which claims it by moving
    ``send_after`` forward with a conditional update, so two redrives never both send it.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=1)
    # Set when the attempts cap is reached: kept for a look (a week, then the redrive deletes it), never sent again.
    abandoned_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["send_after", "id"]

    def __str__(self) -> str:
        return f"{self.task_name} (attempt {self.attempts})"
