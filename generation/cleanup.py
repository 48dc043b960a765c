"""Nightly maintenance: what storage and the database no longer need (``manage.py cleanup``, beat).

Four kinds, each a function that counts what it removes (or would, with ``dry_run``):

- ``failed_generation_files``: outputs stored for generations that then failed, were canceled or
  expired (the job's end discards them at once; a crash in between leaves them behind), and the
  photo archives sent for failed or expired trainings — after ``CLEANUP_FAILED_AFTER_DAYS``.
- ``orphaned_files``: files in media storage that no document names any more (an upload whose
  document was never saved, a variant of a replaced picture). Only files older than
  ``CLEANUP_ORPHAN_GRACE_HOURS``, so an upload in flight is never taken for one; a name found in
  any file, text, list or JSON field of any model counts as referenced and stays.
- ``stale_subscriptions``: paid subscriptions whose period ended more than
  ``CLEANUP_SUBSCRIPTION_GRACE_DAYS`` ago with no renewal from Stripe: ended through billing.
- ``read_notifications``: read notifications past the TTL their index declares, for servers that
  do not honour TTL indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django_mongodb_backend.fields import ArrayField

from billing.services.expiry import subscriptions_expire_stale
from generation.ending import discard_outputs
from generation.models import Image, Job, TrainingRun
from modelsnapper.stored_files import stored_names_before
from social.models import Notification

ENDED_UNFINISHED = (Job.Status.FAILED, Job.Status.CANCELED, Job.Status.EXPIRED)
TRAINING_ENDED_UNFINISHED = (TrainingRun.Status.FAILED, TrainingRun.Status.EXPIRED)
KINDS = ("failed_generation_files", "orphaned_files", "stale_subscriptions", "read_notifications")
# Field types whose values may name a stored file. A CharField shorter than this cannot hold one.
_NAME_MIN_LENGTH = 100


@dataclass
class Summary:
    counts: dict[str, int]
    dry_run: bool

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        labels = {
            "failed_generation_files": "files of failed or expired generations",
            "orphaned_files": "orphaned files",
            "stale_subscriptions": "stale subscriptions (ended)",
            "read_notifications": "read notifications past their TTL",
        }
        return [f"{labels[kind]}: {verb} {self.counts[kind]}" for kind in KINDS if kind in self.counts]


def cleanup_run(
    *, kinds: Iterable[str] = KINDS, dry_run: bool = False, now: datetime | None = None, should_stop=None
) -> Summary:
    """Run each kind of cleanup once; the counts per kind."""
    now = now or timezone.now()
    runners: dict[str, Callable[..., int]] = {
        "failed_generation_files": failed_generation_files_remove,
        "orphaned_files": orphaned_files_remove,
        "stale_subscriptions": stale_subscriptions_end,
        "read_notifications": read_notifications_purge,
    }
    counts = {}
    for kind in kinds:
        if should_stop is not None and should_stop():
            break
        counts[kind] = runners[kind](now=now, dry_run=dry_run)
    return Summary(counts=counts, dry_run=dry_run)


# --- failed generations --------------------------------------------------------------------


def failed_generation_files_remove(*, now: datetime, dry_run: bool = False) -> int:
    cutoff = now - timedelta(days=settings.CLEANUP_FAILED_AFTER_DAYS)
    removed = 0
    # Undelivered outputs are few (only a crash leaves them), so start from them, not from jobs.
    leftovers = Image.objects.filter(delivered=False, created_at__lte=cutoff).values_list("job_id", flat=True)
    job_ids = {job_id for job_id in leftovers if job_id is not None}
    ended = Job.objects.filter(pk__in=job_ids, status__in=ENDED_UNFINISHED).values_list("pk", flat=True)
    for job_id in ended:
        if dry_run:
            removed += Image.objects.filter(job_id=job_id, delivered=False).count()
        else:
            removed += discard_outputs(job_id)
    runs = TrainingRun.objects.filter(status__in=TRAINING_ENDED_UNFINISHED, created_at__lte=cutoff).exclude(
        photos_archive=""
    )
    for run in runs.only("pk", "photos_archive"):
        removed += 1
        if dry_run:
            continue
        default_storage.delete(run.photos_archive)
        TrainingRun.objects.filter(pk=run.pk, photos_archive=run.photos_archive).update(photos_archive="")
    return removed


# --- orphaned files ------------------------------------------------------------------------


def _may_name_a_file(field: models.Field) -> bool:
    if isinstance(field, (models.FileField, models.JSONField, ArrayField)):
        return True
    return isinstance(field, models.CharField) and (field.max_length or 0) >= _NAME_MIN_LENGTH


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif value:  # a FieldFile
        name = getattr(value, "name", None)
        if isinstance(name, str):
            yield name


def _unreferenced(candidates: set[str], *, batch: int) -> set[str]:
    """``candidates`` minus every name some document holds (read every model batch-wise)."""
    left = set(candidates)
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if _may_name_a_file(f)]
        if not fields or not left:
            continue
        last = None
        while left:
            query = model._base_manager.order_by("pk")
            if last is not None:
                query = query.filter(pk__gt=last)
            rows = list(query.values_list("pk", *fields)[:batch])
            if not rows:
                break
            for row in rows:
                left.difference_update(_strings(list(row[1:])))
            last = rows[-1][0]
    return left


def orphaned_files_remove(*, now: datetime, dry_run: bool = False, batch: int = 500, storage=None) -> int:
    storage = storage or default_storage
    cutoff = now - timedelta(hours=settings.CLEANUP_ORPHAN_GRACE_HOURS)
    removed = 0
    for names in stored_names_before(storage, cutoff, batch=batch):
        for name in _unreferenced(set(names), batch=batch):
            removed += 1
            if not dry_run:
                storage.delete(name)
    return removed


# --- subscriptions and notifications -------------------------------------------------------


def stale_subscriptions_end(*, now: datetime, dry_run: bool = False) -> int:
    grace = timedelta(days=settings.CLEANUP_SUBSCRIPTION_GRACE_DAYS)
    return len(subscriptions_expire_stale(now=now, grace=grace, dry_run=dry_run))


def notification_read_ttl() -> timedelta:
    """The TTL the read-notification index declares (one rule: the index in social.models)."""
    for index in Notification._meta.indexes:
        if getattr(index, "expire_after_seconds", None) is not None and index.fields == ["read_at"]:
            return timedelta(seconds=index.expire_after_seconds)
    raise LookupError("Notification has no TTL index on read_at")


def read_notifications_purge(*, now: datetime, dry_run: bool = False) -> int:
    due = Notification.objects.filter(read_at__lte=now - notification_read_ttl())
    if dry_run:
        return due.count()
    return due.delete()[1].get(Notification._meta.label, 0)
