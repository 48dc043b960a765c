"""The registry of demo data: what ``seed_demo`` made, so it is made once and removed exactly.

Each app's seed module records the documents it creates under a key that names them
(``seed_once``). Seeding again finds the recorded document instead of making a second
one; a recorded document that is gone (a story past its 24 hours) is made again.
``seed_cleanup`` deletes what was recorded, newest first, with what depends on it
(Django's cascade: a demo user's wallet, ledger, jobs, images, posts...), and the stored
files of everything it deletes. A document nobody recorded, such as an account that
existed before seeding under a demo name, is never touched.

Models are named by label (``accounts.User``) and looked up in the app registry: the
project package imports no app.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TypeVar

from bson import ObjectId
from bson.errors import InvalidId
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.deletion import Collector

from modelsnapper.models import SeedRecord
from modelsnapper.picture_sources import source_for
from modelsnapper.variants import VariantSet

M = TypeVar("M", bound=models.Model)

# Files under private/<user id>/ belong to that user (modelsnapper.views.media_owner_id).
PRIVATE_PREFIX = "private/"


def _lookup(record: SeedRecord) -> models.Model | None:
    try:
        model = apps.get_model(record.model)
        return model._default_manager.filter(pk=ObjectId(record.object_id)).first()
    except (LookupError, InvalidId):
        return None


def seeded(key: str) -> models.Model | None:
    """The document recorded under ``key``, if it still exists."""
    record = SeedRecord.objects.filter(key=key).first()
    return _lookup(record) if record is not None else None


def seed_record(key: str, obj: models.Model) -> None:
    """Record ``obj`` as demo data under ``key`` (replacing a record whose document is gone)."""
    SeedRecord.objects.update_or_create(
        key=key, defaults={"model": obj._meta.label, "object_id": str(obj.pk)}
    )


def seed_record_many(rows: Iterable[tuple[str, models.Model]]) -> None:
    """Record many new documents at once (bulk demo posts), each under its own new key."""
    SeedRecord.objects.bulk_create(
        SeedRecord(key=key, model=obj._meta.label, object_id=str(obj.pk)) for key, obj in rows
    )


def seed_once(key: str, make: Callable[[], M]) -> tuple[M, bool]:
    """The document recorded under ``key``, or ``make()``'s, recorded; (document, created)."""
    found = seeded(key)
    if found is not None:
        return found, False
    obj = make()
    seed_record(key, obj)
    return obj, True


def seeded_ids(label: str) -> list:
    """The ids of the recorded documents of one model (e.g. every demo account)."""
    return [
        ObjectId(object_id)
        for object_id in SeedRecord.objects.filter(model=label).values_list("object_id", flat=True)
    ]


def _stored_files(instance: models.Model) -> list[str]:
    """The files a document keeps: its file fields and their pictures' variants."""
    names = [
        getattr(instance, field.name).name
        for field in instance._meta.concrete_fields
        if isinstance(field, models.FileField) and getattr(instance, field.name)
    ]
    source = source_for(instance)
    for slot in source.slots.values() if source is not None else ():
        names += [
            name for _, name in VariantSet.from_data(getattr(instance, slot.variants_attr, None)).files()
        ]
    return names


def _files_under(prefix: str) -> list[str]:
    directories, files = default_storage.listdir(prefix)
    names = [f"{prefix}{name}" for name in files]
    for directory in directories:
        names += _files_under(f"{prefix}{directory}/")
    return names


def seed_cleanup(*, dry_run: bool = False) -> Counter:
    """Delete every recorded document, newest first, with what depends on it and its files.

    Returns how many documents of each model went (``dry_run``: would go). What cascades
    is what belongs to demo data: a demo account's wallet and ledger, its jobs, posts and
    memberships, and the likes, comments and follows anyone left on it.
    """
    removed: Counter = Counter()
    for record in SeedRecord.objects.order_by("-created_at", "-id"):
        obj = _lookup(record)
        if obj is not None:
            collector = Collector(using=obj._state.db)
            collector.collect([obj])
            files: list[str] = []
            for model, instances in collector.data.items():
                removed[model._meta.label] += len(instances)
                for instance in instances:
                    files += _stored_files(instance)
            for queryset in collector.fast_deletes:
                removed[queryset.model._meta.label] += queryset.count()
                for instance in queryset:
                    files += _stored_files(instance)
            if record.model == settings.AUTH_USER_MODEL:
                # Uploads kept by name only (likeness references) live under the account's folder.
                files += _files_under(f"{PRIVATE_PREFIX}{obj.pk}/")
            if not dry_run:
                collector.delete()
                for name in set(files):
                    default_storage.delete(name)
        if not dry_run:
            record.delete()
    return removed
