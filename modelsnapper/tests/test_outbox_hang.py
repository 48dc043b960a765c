"""A task sent through the outbox while Redis hangs (a stopped process: connections accepted,
nothing answered) gives up after one try instead of Celery's publish retries (four tries, about
5 s of a web request), because the outbox already sends it again: the entry stays, and the
redrive sends it once Redis answers again."""

from __future__ import annotations

import os
import signal
import time

import pytest
import redis
from django.conf import settings as django_settings

from generation.testing import RedisServer
from generation.tests.test_worker_integration import _fresh_pools, broker
from modelsnapper.celery import app as celery_app
from modelsnapper.models import OutboxTask
from modelsnapper.queue import enqueue, outbox_redrive_due, task_named
from modelsnapper.testing.factories.accounts import UserFactory
from modelsnapper.tests.test_outbox import NOTIFY, later, notice_args

pytestmark = pytest.mark.slow

# One try at the socket timeout (about a second) fits; four tries (the default retry policy) do not.
ONE_TRY = 2.5


@pytest.fixture
def hung_redis_broker(db, settings):
    """This process's Celery app on a real redis-server with production's socket timeouts;
    yields the server and a function that stops it (SIGSTOP) and one that resumes it."""
    server = RedisServer()
    old_options = celery_app.conf.broker_transport_options
    celery_app.conf.broker_transport_options = {**(old_options or {}), **django_settings.REDIS_TIMEOUTS}
    try:
        with broker(server.url, settings):
            yield server
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
        celery_app.conf.broker_transport_options = old_options
        _fresh_pools()
        server.stop()


def test_a_send_while_redis_hangs_returns_after_one_try_and_the_redrive_sends_it_when_redis_is_back(
    hung_redis_broker,
):
    user = UserFactory()
    task_named(NOTIFY)  # the tasks modules imported, as in a process that sent one before
    os.kill(hung_redis_broker.process.pid, signal.SIGSTOP)

    started = time.monotonic()
    enqueue(NOTIFY, *notice_args(user))  # the send gives up: logged, kept in the outbox
    took = time.monotonic() - started

    assert took < ONE_TRY, f"the send waited {took:.1f} s on a hung Redis"
    assert OutboxTask.objects.filter(task_name=NOTIFY).count() == 1

    os.kill(hung_redis_broker.process.pid, signal.SIGCONT)
    _fresh_pools()  # the connection the failed send left is dropped, as a new request's would be
    assert outbox_redrive_due(now=later()) == 1
    client = redis.Redis.from_url(hung_redis_broker.url)
    try:
        assert client.llen("celery") == 1
    finally:
        client.close()
