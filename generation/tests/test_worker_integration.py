"""A real Celery worker on a real Redis, SIGKILLed in the middle of a job.

A second worker must take the job over and complete it: charged once, never
refunded, its output stored exactly once. The sweeper is not involved.
"""

import os
import time
from contextlib import contextmanager

import kombu.pools
import pytest
from django.db import connections

from billing.models import LedgerEntry
from generation import services
from generation.models import Image, Job
from generation.testing import RedisServer, Worker, wait_for, worker_env
from modelsnapper.celery import app as celery_app
from modelsnapper.testing.isolation import baseline
from modelsnapper.testing.money import balance

pytestmark = pytest.mark.slow


@contextmanager
def broker(url, settings):
    """Point this process's Celery app at ``url`` (not eager) for the duration."""
    old_broker = celery_app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = url
    _fresh_pools()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True
        celery_app.conf.broker_url = old_broker
        _fresh_pools()
        # The worker wrote through its own MongoClient: put every collection back.
        baseline.restore_everything(connections["default"].database)


@pytest.fixture
def redis_broker(settings, db):
    redis = RedisServer()
    try:
        with broker(redis.url, settings):
            yield redis
    finally:
        redis.stop()


def _fresh_pools():
    """Make the app connect to the broker URL it has now, not the one it first used.

    kombu keeps connection and producer pools in a global registry keyed by broker
    URL, and Celery acquires a producer even for eager tasks. Closing only the app's
    pool would leave a closed pool registered for the original URL, which every
    later test would get back; resetting the registry closes and forgets them all.
    """
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


VISIBILITY_TIMEOUT = 3
CLAIM_LEASE = 2


def env_for(redis, **extra):
    return worker_env(
        mongodb_uri=os.environ["MONGODB_URI"],
        mongodb_name=connections["default"].settings_dict["NAME"],
        redis_url=redis.url,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        GENERATION_CLAIM_LEASE_SECONDS=str(CLAIM_LEASE),
        **extra,
    )


def _redelivery_due(redis_url: str) -> bool:
    """Redis holds an unacknowledged delivery older than the visibility timeout.

    kombu's Redis transport files every delivered, unacknowledged message in the
    ``unacked_index`` sorted set, scored by delivery time; a worker starting up
    puts back every entry older than the visibility timeout.
    """
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return bool(client.zrangebyscore("unacked_index", "-inf", time.time() - VISIBILITY_TIMEOUT))
    finally:
        client.close()


def _claim_lease_expired(job) -> bool:
    from datetime import timedelta

    from django.utils import timezone

    claimed_at = Job.objects.filter(pk=job.pk).values_list("claimed_at", flat=True).first()
    return claimed_at is not None and claimed_at < timezone.now() - timedelta(seconds=CLAIM_LEASE)


def test_a_worker_killed_mid_job_is_replaced_by_a_second_worker_that_completes_it_once(
    funded, local_model, redis_broker, tmp_path
):
    """The second worker takes the job over: no sweeper, no refund, one output, one charge.

    Every wait polls a condition with a generous deadline; nothing depends on a sleep
    being long enough.
    """
    local_model.default_parameters = {"local_delay": 4}  # long enough to be killed inside
    local_model.save()
    before = balance(funded)
    first = Worker(env_for(redis_broker), log_path=str(tmp_path / "worker1.log"))
    second = None
    try:
        job = services.job_submit(user=funded, ai_model=local_model, prompt="killed mid-flight")
        claimed = wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.PROCESSING, timeout=60)
        assert claimed, (tmp_path / "worker1.log").read_text()[-3000:]
        first.kill()
        assert first.process.poll() is not None  # the first worker is gone for good
        assert Job.objects.get(pk=job.pk).status == Job.Status.PROCESSING
        assert not Image.objects.filter(job_id=job.pk).exists()

        # The second worker can take over once Redis would hand the task back and the
        # dead worker's claim has lapsed; wait for both, then start it.
        assert wait_for(lambda: _redelivery_due(redis_broker.url), timeout=60, interval=0.1)
        assert wait_for(lambda: _claim_lease_expired(job), timeout=60, interval=0.1)
        second = Worker(env_for(redis_broker), log_path=str(tmp_path / "worker2.log"))
        done = wait_for(lambda: Job.objects.get(pk=job.pk).status in Job.TERMINAL, timeout=120, interval=0.2)
        assert done, (tmp_path / "worker2.log").read_text()[-3000:]
    finally:
        first.kill()
        if second is not None:
            second.stop()

    job.refresh_from_db()
    events = [event.name for event in job.events.all()]
    keys = set(
        LedgerEntry.objects.filter(idempotency_key__startswith=f"gen:{job.pk}:").values_list(
            "idempotency_key", flat=True
        )
    )
    assert job.status == Job.Status.COMPLETED, (job.status, events)
    # Only a second claim on the dead worker's job writes "restarted"; the test
    # process never runs the job, so the second worker made this output.
    assert events.count("started") == 1 and events.count("restarted") == 1, events
    assert keys == {f"gen:{job.pk}:charge"}  # charged once, never refunded
    assert Image.objects.filter(job_id=job.pk).count() == 1
    assert balance(funded) == before - local_model.credit_cost
    # A late third delivery changes nothing.
    assert services.job_run(job.pk) == "not-claimed"


def test_jobs_flow_through_a_real_worker(funded, local_model, redis_broker, tmp_path):
    worker = Worker(env_for(redis_broker), concurrency=2, log_path=str(tmp_path / "worker.log"))
    try:
        jobs = [services.job_submit(user=funded, ai_model=local_model, prompt=f"batch {n}") for n in range(3)]
        done = wait_for(
            lambda: Job.objects.filter(pk__in=[j.pk for j in jobs], status=Job.Status.COMPLETED).count() == 3,
            timeout=60,
            interval=0.1,
        )
    finally:
        worker.stop()
    assert done, (tmp_path / "worker.log").read_text()[-3000:]
    assert Image.objects.filter(job_id__in=[j.pk for j in jobs]).count() == 3


def test_without_redis_a_real_worker_runs_on_the_embedded_database_broker(
    funded, local_model, settings, tmp_path
):
    from modelsnapper import embedded

    name = f"{connections['default'].settings_dict['NAME']}_broker"
    url = embedded.broker_url(os.environ["MONGODB_URI"], name)
    env = worker_env(
        mongodb_uri=os.environ["MONGODB_URI"],
        mongodb_name=connections["default"].settings_dict["NAME"],
        redis_url="",
    )
    env.pop("REDIS_URL")
    env["CELERY_BROKER_URL"] = url
    try:
        with broker(url, settings):
            worker = Worker(env, log_path=str(tmp_path / "worker.log"))
            try:
                job = services.job_submit(user=funded, ai_model=local_model, prompt="no redis here")
                done = wait_for(
                    lambda: Job.objects.get(pk=job.pk).status == Job.Status.COMPLETED,
                    timeout=60,
                    interval=0.2,
                )
            finally:
                worker.stop()
    finally:
        connections["default"].connection.drop_database(name)
    assert done, (tmp_path / "worker.log").read_text()[-3000:]
