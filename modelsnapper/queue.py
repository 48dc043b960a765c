"""Send a Celery task by its registered name, through an outbox that survives a lost message.

Tasks are the outer layer of every app: they import the services. A service that
queues work therefore names the task instead of importing the tasks module above
it; Celery imports the apps' ``tasks`` modules (its autodiscovery) the first time
a name is not registered yet in this process.

**The outbox.** Redis keeps queued messages in memory: a restart (or a send it refused)
loses them, and nothing else would send a notice, a notification e-mail or a post's
fan-out again. So ``enqueue`` first writes an ``OutboxTask`` document, then sends the
task with that document's id as its Celery task id; the worker deletes the document when
the task succeeds (``task_postrun`` below). The ``outbox_redrive`` beat task sends again
whatever is still there ``OUTBOX_REDRIVE_AFTER_SECONDS`` later, so a task may run twice
(its first message was only slow, not lost): every task sent through here is safe to
repeat —
- ``social.tasks.notify``: the notice's ``key`` is a unique index, a second one is refused;
- ``social.tasks.send_notification_email``: the send is claimed by a conditional update on
  ``email_status`` (with a lease), a sent notification is never claimed again;
- ``social.tasks.notify_post_followers``: each follower's notice has the unique key
  ``post:<post>:<follower>``, and a batch names the follow it continues after (a cursor).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from celery import Task, current_app, states
from celery.signals import task_postrun, task_retry
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from modelsnapper.ids import parse_object_id
from modelsnapper.models import OutboxTask

logger = logging.getLogger(__name__)

# Generation's jobs and trainings are re-driven from their own documents by its poller and
# sweeper (generation.polling), which know whether the work is still wanted: no outbox twice.
REDRIVEN_ELSEWHERE = ("generation.tasks.",)
# How many due entries one redrive sends; the rest wait a minute for the next run.
REDRIVE_BATCH = 200
# An abandoned entry (the attempts cap reached) is kept this long for a look, then deleted.
ABANDONED_KEPT = timedelta(days=7)


def task_named(task_name: str) -> Task:
    """The task registered as ``task_name`` (e.g. ``"social.tasks.send_notification_email"``)."""
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]


def redrive_after() -> timedelta:
    """How long a sent task may wait in the queue before its message is presumed lost."""
    return timedelta(seconds=settings.OUTBOX_REDRIVE_AFTER_SECONDS)


def _send_once(task: Task, args: tuple, *, task_id: str) -> None:
    """Send a task the outbox keeps: one connection attempt and one publish, no retries.

    Celery would otherwise retry the broker connection until ``broker_connection_timeout``
    (4 s) and the publish by its retry policy: on a hung Redis a web request waited about
    5-7 s for a send the outbox re-sends anyway. Each try still ends at the socket timeout
    (REDIS_SOCKET_TIMEOUT). Sends without an outbox (generation's, re-driven by its poller)
    keep Celery's defaults.
    """
    if task.app.conf.task_always_eager:  # development and tests: runs here, no broker
        task.apply_async(args, task_id=task_id)
        return
    with task.app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=0)
        task.apply_async(args, task_id=task_id, producer=producer, retry=False)


def enqueue(task_name: str, *args: Any) -> None:
    """Send the task; once recorded in the outbox it is not lost, even if this send fails."""
    task = task_named(task_name)
    if task_name.startswith(REDRIVEN_ELSEWHERE):
        task.delay(*args)
        return
    entry = OutboxTask.objects.create(
        task_name=task_name, args=list(args), send_after=timezone.now() + redrive_after()
    )
    try:
        _send_once(task, args, task_id=str(entry.pk))
    except Exception:  # the broker is down, restarting or hung: the redrive sends it later
        logger.exception("could not send %s%r now; the outbox re-sends it", task_name, args)


def _outbox_id(task_id: Any) -> ObjectId | None:
    """The outbox entry a Celery task id names (24 hex digits); other tasks' ids are uuids."""
    return parse_object_id(task_id) if isinstance(task_id, str) and len(task_id) == 24 else None


@task_postrun.connect(weak=False)
def _outbox_done(task_id: Any = None, state: str | None = None, **_kwargs: Any) -> None:
    """A task that succeeded is done: its entry goes (a failed one stays, to be sent again)."""
    entry_id = _outbox_id(task_id)
    if state == states.SUCCESS and entry_id is not None:
        OutboxTask.objects.filter(pk=entry_id).delete()


@task_retry.connect(weak=False)
def _outbox_retry_later(request: Any = None, reason: Any = None, **_kwargs: Any) -> None:
    """A task retrying after a countdown (an e-mail's back-off) is not lost meanwhile: its
    entry is due only after the retry's own time, plus the usual wait."""
    entry_id = _outbox_id(getattr(request, "id", None))
    if entry_id is None:
        return
    when = getattr(reason, "when", None)  # seconds, or a datetime, or None
    now = timezone.now()
    eta = when if isinstance(when, datetime) else now + timedelta(seconds=float(when or 0))
    OutboxTask.objects.filter(pk=entry_id, abandoned_at=None).update(send_after=eta + redrive_after())


def outbox_redrive_due(*, now: datetime) -> int:
    """Send again every entry due at ``now``; returns how many were sent.

    Each entry is claimed first by a conditional update that moves ``send_after`` past
    ``now`` (and counts the attempt): a second redrive running at the same time finds it
    not due and skips it, so an entry is sent once per redrive period. Past
    ``OUTBOX_MAX_ATTEMPTS`` sends the entry is abandoned with an error in the log.
    """
    sent = 0
    due = OutboxTask.objects.filter(abandoned_at=None, send_after__lte=now)
    for entry in due[:REDRIVE_BATCH]:
        if entry.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            if OutboxTask.objects.filter(pk=entry.pk, abandoned_at=None, send_after__lte=now).update(
                abandoned_at=now
            ):
                logger.error(
                    "outbox gave up on %s%r (id %s) after %d sends",
                    entry.task_name,
                    tuple(entry.args),
                    entry.pk,
                    entry.attempts,
                )
            continue
        claimed = OutboxTask.objects.filter(pk=entry.pk, abandoned_at=None, send_after__lte=now).update(
            send_after=now + redrive_after(), attempts=F("attempts") + 1
        )
        if claimed != 1:  # another redrive took it, or it ran meanwhile
            continue
        logger.warning(
            "outbox re-sends %s%r (id %s, send %d)",
            entry.task_name,
            tuple(entry.args),
            entry.pk,
            entry.attempts + 1,
        )
        try:
            _send_once(task_named(entry.task_name), tuple(entry.args), task_id=str(entry.pk))
        except Exception:
            logger.exception("could not re-send %s (id %s); tried again later", entry.task_name, entry.pk)
            continue
        sent += 1
    OutboxTask.objects.filter(abandoned_at__lt=now - ABANDONED_KEPT).delete()
    return sent
