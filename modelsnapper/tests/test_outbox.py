"""A queued task outlives a lost broker message (a Redis restart): the outbox re-sends it.

The broker is the network edge here: a lost send is a ``apply_async`` that raises, as
kombu does when Redis is down or restarting. Tests run Celery eagerly, so a send that
goes through runs the task at once in this thread.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import redis
from celery import Task
from celery.signals import task_prerun
from django.db import connections
from django.utils import timezone
from kombu.exceptions import OperationalError

from generation.testing import RedisServer, Worker, wait_for, worker_env
from generation.tests.test_worker_integration import broker
from modelsnapper.models import OutboxTask
from modelsnapper.queue import enqueue, outbox_redrive_due, task_named
from modelsnapper.testing.factories.accounts import UserFactory
from modelsnapper.testing.threads import closes_connections
from social.models import Notification
from social.tests.test_notification_emails import FlakyBackend, flaky_mail  # noqa: F401 (fixture)

NOTIFY = "social.tasks.notify"


@pytest.fixture
def runs():
    """The ids of the ``notify`` tasks that started running (a notice's e-mail is another task)."""
    started: list[str] = []

    def record(sender=None, task_id=None, **_kwargs):
        if sender.name == NOTIFY:
            started.append(task_id)

    task_prerun.connect(record, weak=False)
    yield started
    task_prerun.disconnect(record)


@pytest.fixture
def broker_down(monkeypatch):
    """Every send to the broker fails; the returned function brings the broker back."""
    real = Task.apply_async

    def lost(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", lost)
    return lambda: monkeypatch.setattr(Task, "apply_async", real)


def later(seconds: int = 121):
    return timezone.now() + timedelta(seconds=seconds)


def notice_args(user, key: str = "gift:1") -> tuple[str, ...]:
    return (str(user.pk), "coin_earned", "You were given 5 coins", "/wallet/", key, "")


def test_a_notice_whose_send_was_lost_is_re_driven_and_runs_exactly_once(db, broker_down, runs):
    user = UserFactory()
    enqueue(NOTIFY, *notice_args(user))  # the broker refuses: logged, kept in the outbox
    assert Notification.objects.filter(recipient=user).count() == 0
    broker_down()  # the broker is back

    assert outbox_redrive_due(now=timezone.now()) == 0  # not due yet: it may still be queued
    assert outbox_redrive_due(now=later()) == 1
    assert outbox_redrive_due(now=later(400)) == 0

    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(runs) == 1
    assert not OutboxTask.objects.exists()


def test_a_task_that_ran_leaves_nothing_in_the_outbox_and_is_never_sent_again(db, runs):
    user = UserFactory()
    enqueue(NOTIFY, *notice_args(user))

    assert not OutboxTask.objects.exists()
    assert outbox_redrive_due(now=later(3600)) == 0
    assert len(runs) == 1


def test_two_redrives_at_once_send_each_lost_task_once(db, broker_down, runs):
    users = UserFactory.create_batch(3)
    for n in range(12):
        enqueue(NOTIFY, *notice_args(users[n % 3], key=f"gift:{n}"))
    broker_down()  # the broker is back
    due = later()
    barrier = threading.Barrier(2)

    @closes_connections
    def redrive(_n):
        barrier.wait(timeout=10)
        return outbox_redrive_due(now=due)

    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(redrive, range(2)))

    assert sum(sent) == 12
    assert len(runs) == 12
    assert len(set(runs)) == 12
    assert Notification.objects.count() == 12
    assert not OutboxTask.objects.exists()


def test_a_notice_re_driven_twice_makes_one_notification(db, runs):
    """``notify`` is safe to run twice: the notice's ``key`` is unique (social Notification.key)."""
    user = UserFactory()
    task = task_named(NOTIFY)
    task.apply(notice_args(user))
    task.apply(notice_args(user))

    assert Notification.objects.filter(recipient=user).count() == 1


def test_a_notification_e_mail_re_driven_twice_is_mailed_once(db, mailoutbox):
    """``send_notification_email`` is safe to run twice: its send is claimed (``email_status``)."""
    user = UserFactory(email="told@example.com")
    notice = Notification.objects.create(
        recipient=user,
        kind="coin_earned",
        text="You were given 5 coins",
        email_status=Notification.EmailStatus.PENDING,
    )
    task = task_named("social.tasks.send_notification_email")
    task.apply((str(notice.pk),))
    task.apply((str(notice.pk),))

    assert len(mailoutbox) == 1


def test_an_e_mail_waiting_for_its_retry_is_not_re_driven_before_the_retry_is_due(db, flaky_mail):  # noqa: F811
    """A refused e-mail retries after its back-off (about a minute); the outbox waits for it
    plus the usual wait instead of sending it again early."""
    flaky_mail(1)
    user = UserFactory(email="told@example.com")
    notice = Notification.objects.create(
        recipient=user,
        kind="coin_earned",
        text="You were given 5 coins",
        email_status=Notification.EmailStatus.PENDING,
    )
    due_at_start: list = []

    def record(sender=None, task_id=None, **_kwargs):
        due_at_start.append(OutboxTask.objects.get(pk=task_id).send_after)

    sent_at = timezone.now()
    task_prerun.connect(record, sender=task_named("social.tasks.send_notification_email"), weak=False)
    try:
        enqueue("social.tasks.send_notification_email", str(notice.pk))
    finally:
        task_prerun.disconnect(record, sender=task_named("social.tasks.send_notification_email"))

    first, retry = due_at_start
    assert first < sent_at + timedelta(seconds=130)
    assert retry >= sent_at + timedelta(seconds=60 + 120)
    assert FlakyBackend.attempts == 2
    assert not OutboxTask.objects.exists()


def test_an_entry_that_keeps_failing_is_given_up_after_the_attempts_cap(db, broker_down, settings, caplog):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    user = UserFactory()
    enqueue(NOTIFY, *notice_args(user))  # the first send, lost

    assert outbox_redrive_due(now=later()) == 0  # attempt 2, lost again
    assert outbox_redrive_due(now=later(600)) == 0  # the cap: given up, logged

    [entry] = OutboxTask.objects.all()
    assert entry.attempts == 2
    assert entry.abandoned_at is not None
    assert "gave up" in caplog.text
    broker_down()  # the broker is back: an abandoned entry stays abandoned
    assert outbox_redrive_due(now=later(6000)) == 0
    assert Notification.objects.count() == 0


@pytest.mark.slow
def test_a_notice_lost_with_a_redis_restart_is_re_driven_and_run_once_by_a_real_worker(
    db, settings, tmp_path
):
    server = RedisServer()
    try:
        with broker(server.url, settings):
            user = UserFactory()
            enqueue(NOTIFY, *notice_args(user))  # queued in Redis; no worker is running yet
            client = redis.Redis.from_url(server.url)
            assert client.llen("celery") == 1
            client.flushall()  # Redis came back from a restart empty
            client.close()
            log = tmp_path / "worker.log"
            worker = Worker(
                worker_env(
                    mongodb_uri=os.environ["MONGODB_URI"],
                    mongodb_name=connections["default"].settings_dict["NAME"],
                    redis_url=server.url,
                ),
                log_path=str(log),
            )
            try:
                assert outbox_redrive_due(now=later()) == 1
                # The worker deletes each entry (the notice's, then its e-mail's) when it succeeds.
                assert wait_for(lambda: not OutboxTask.objects.exists(), timeout=60, interval=0.1), (
                    log.read_text()
                )
                assert Notification.objects.filter(recipient=user).count() == 1
            finally:
                worker.stop()
    finally:
        server.stop()
