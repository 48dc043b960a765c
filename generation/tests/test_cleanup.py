"""Nightly cleanup (manage.py cleanup, beat): each kind removed, what is referenced kept, dry runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from billing.models import Subscription, Wallet
from billing.services import wallet_for
from generation import tasks
from generation.cleanup import cleanup_run, notification_read_ttl
from generation.models import Image, Job, TrainingRun
from modelsnapper.celery import app as celery_app
from modelsnapper.testing.factories import SubscriptionFactory
from modelsnapper.variants import VariantSet
from social.models import Notification

from .gallery import conftest as gallery
from .helpers import outputs

pytestmark = pytest.mark.django_db
make_job = gallery.make_job  # the gallery's fixture: a finished job with stored outputs
LATER = timedelta(days=40)  # every grace period of the cleanup is over by then


def later():
    return timezone.now() + LATER


def stored(name: str, data: bytes = b"bytes") -> str:
    return default_storage.save(name, ContentFile(data))


def test_a_failed_generations_leftover_outputs_are_removed_and_a_completed_ones_kept(owner, make_job):
    failed = make_job(owner, outputs=2, status=Job.Status.FAILED)
    Image.objects.filter(job=failed).update(delivered=False)  # the crash left them behind
    left = [image.file.name for image in outputs(failed)]
    done = outputs(make_job(owner, outputs=1, variants=True))[0]

    summary = cleanup_run(kinds=["failed_generation_files"], now=later())

    assert summary.counts == {"failed_generation_files": 2}
    assert not Image.objects.filter(job=failed).exists()
    assert not any(default_storage.exists(name) for name in left)
    assert default_storage.exists(done.file.name) and Image.objects.filter(pk=done.pk).exists()


def test_a_generation_still_in_its_grace_period_keeps_its_files(owner, make_job):
    failed = make_job(owner, outputs=1, status=Job.Status.EXPIRED)
    Image.objects.filter(job=failed).update(delivered=False)

    assert cleanup_run(kinds=["failed_generation_files"]).counts == {"failed_generation_files": 0}
    assert default_storage.exists(outputs(failed)[0].file.name)


def test_a_failed_trainings_photo_archive_is_removed(owner, local_model):
    archive = stored(f"private/{owner.pk}/training/run-1.zip")
    run = TrainingRun.objects.create(
        user=owner,
        base_model=local_model,
        model_name="me",
        status=TrainingRun.Status.FAILED,
        photos_archive=archive,
        deadline_at=timezone.now(),
    )

    assert cleanup_run(kinds=["failed_generation_files"], now=later()).counts == {
        "failed_generation_files": 1
    }
    assert not default_storage.exists(archive)
    assert TrainingRun.objects.get(pk=run.pk).photos_archive == ""


def test_orphaned_files_and_variants_go_and_every_referenced_file_stays(owner, make_job, local_model):
    image = outputs(make_job(owner, outputs=1, variants=True))[0]
    variants = [name for _, name in VariantSet.from_data(image.variants).files()]
    archive = stored(f"private/{owner.pk}/training/run-2.zip")  # named by a CharField
    TrainingRun.objects.create(
        user=owner,
        base_model=local_model,
        model_name="me",
        photos_archive=archive,
        deadline_at=timezone.now(),
    )
    orphan = stored(f"private/{owner.pk}/generations/never-saved.png")
    orphan_variant = stored(f"private/{owner.pk}/generations/v/{'a' * 24}-256.webp")
    assert variants

    summary = cleanup_run(kinds=["orphaned_files"], now=later())

    assert summary.counts == {"orphaned_files": 2}
    assert not default_storage.exists(orphan) and not default_storage.exists(orphan_variant)
    for name in [image.file.name, *variants, archive]:
        assert default_storage.exists(name), name


def test_a_file_uploaded_within_the_grace_hours_is_not_an_orphan(owner):
    in_flight = stored(f"private/{owner.pk}/generations/uploading.png")

    assert cleanup_run(kinds=["orphaned_files"]).counts == {"orphaned_files": 0}
    assert default_storage.exists(in_flight)


def test_a_subscription_long_past_its_period_end_is_ended_through_billing(owner, friend):
    now = timezone.now()
    for user in (owner, friend):
        wallet_for(user)
        Wallet.objects.filter(user_id=user.pk).update(plan_code="plus")
    grace = timedelta(days=settings.CLEANUP_SUBSCRIPTION_GRACE_DAYS)
    SubscriptionFactory(
        user=owner, stripe_subscription_id="sub_old", current_period_end=now - grace - timedelta(days=1)
    )
    SubscriptionFactory(
        user=friend, stripe_subscription_id="sub_new", current_period_end=now - timedelta(hours=1)
    )

    assert cleanup_run(kinds=["stale_subscriptions"], now=now).counts == {"stale_subscriptions": 1}

    ended = Subscription.objects.get(user_id=owner.pk)
    assert ended.status == Subscription.Status.CANCELED and ended.current_period_end is not None
    assert Wallet.objects.get(user_id=owner.pk).plan_code == "free"
    assert Subscription.objects.get(user_id=friend.pk).status == Subscription.Status.ACTIVE
    assert Wallet.objects.get(user_id=friend.pk).plan_code == "plus"


def test_read_notifications_past_their_ttl_are_purged_and_the_others_kept(owner):
    # Read a day or two ago (the test server's own TTL sweep leaves them alone); cleanup runs
    # as if the TTL had passed for the older one only.
    now = timezone.now()
    old_read = Notification.objects.create(
        recipient=owner, kind="like", read=True, read_at=now - timedelta(days=2)
    )
    recent = Notification.objects.create(
        recipient=owner, kind="like", read=True, read_at=now - timedelta(hours=1)
    )
    unread = Notification.objects.create(recipient=owner, kind="like")
    as_of = now + notification_read_ttl() - timedelta(days=1)

    assert cleanup_run(kinds=["read_notifications"], now=as_of).counts == {"read_notifications": 1}
    left = set(Notification.objects.values_list("pk", flat=True))
    assert left == {recent.pk, unread.pk} and old_read.pk not in left


def test_dry_run_changes_nothing_and_prints_what_each_kind_would_remove(owner, make_job, monkeypatch, capsys):
    failed = make_job(owner, outputs=1, status=Job.Status.FAILED)
    Image.objects.filter(job=failed).update(delivered=False)
    orphan = stored(f"private/{owner.pk}/generations/lost.png")
    wallet_for(owner)
    SubscriptionFactory(user=owner, current_period_end=timezone.now() - timedelta(days=30))
    Notification.objects.create(
        recipient=owner, kind="like", read=True, read_at=timezone.now() - timedelta(days=1)
    )
    moment = later()
    monkeypatch.setattr("generation.cleanup.timezone.now", lambda: moment)

    call_command("cleanup", "--dry-run")

    printed = capsys.readouterr().out
    assert "Dry run: nothing was changed." in printed
    assert "files of failed or expired generations: would remove 1" in printed
    assert "orphaned files: would remove 1" in printed
    assert "stale subscriptions (ended): would remove 1" in printed
    assert "read notifications past their TTL: would remove 1" in printed
    assert Image.objects.filter(job=failed).count() == 1 and default_storage.exists(orphan)
    assert Subscription.objects.get(user_id=owner.pk).status == Subscription.Status.ACTIVE
    assert Notification.objects.filter(recipient=owner).count() == 1

    call_command("cleanup")

    printed = capsys.readouterr().out
    assert (
        "orphaned files: removed 1" in printed and "read notifications past their TTL: removed 1" in printed
    )
    assert not default_storage.exists(orphan) and not Image.objects.filter(job=failed).exists()


def test_beat_runs_the_cleanup_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["maintenance-cleanup"]

    assert entry["task"] == tasks.maintenance_cleanup.name and entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {3}
