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
