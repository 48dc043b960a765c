"""Redis that hangs — accepts connections but never answers (a stopped process, a wedged host,
a full network buffer) — must not hang a web thread: the cache production configures gives
up after its socket timeouts and degrades as for a Redis that is away (modelsnapper.cache),
and a Celery send gives up too (the outbox, modelsnapper.queue, sends it again later).

Before, each cache call on the stopped Redis waited redis-py's default 5 s (a signed-in page
makes several) and a Celery send waited forever.
"""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest
from django.db import connections

from generation.testing import RedisServer
from modelsnapper.testing.factories.social import PostFactory
from modelsnapper.testing.settings import PRODUCTION, run_with

pytestmark = pytest.mark.slow

# Every request of the test together: far above what the timeouts allow (one socket timeout,
# about a second, then the cache is skipped), far below the old behaviour (redis-py's own
# 5 s default per cache call, several calls per page: 20 s and more).
DEADLINE = 10.0


@pytest.fixture(scope="module")
def production_cache() -> dict:
    """The default cache exactly as the settings build it in production (REDIS_URL set)."""
    result = run_with(
        "import json, modelsnapper.settings as s; print(json.dumps(s.CACHES['default']))", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def redis_hung(settings, production_cache):
    """Production's cache on a real redis-server that is stopped (SIGSTOP): connections are
    accepted by the kernel, nothing is ever answered."""
    redis = RedisServer()
    settings.CACHES = {"default": {**production_cache, "LOCATION": redis.url}}
    os.kill(redis.process.pid, signal.SIGSTOP)
    try:
        yield redis
    finally:
        os.kill(redis.process.pid, signal.SIGCONT)
        redis.stop()


def _answered_within(deadline: float, requests):
    """The responses of ``requests()`` run on their own thread, or None if they had not all
    answered by ``deadline`` seconds (the thread then waits on Redis until the fixture resumes it)."""
    outcome = {}

    def run():
        try:
            outcome["responses"] = requests()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(deadline)
    return outcome.get("responses")


def test_signed_in_pages_and_a_rate_limited_form_answer_while_redis_hangs(client, owner, friend, redis_hung):
    post = PostFactory(author=friend)
    client.force_login(owner)

    responses = _answered_within(
        DEADLINE,
        lambda: [
            client.get("/billing/wallet/"),
            client.post(f"/social/p/{post.pk}/comments/", {"text": "Still here."}),
            # The verification form's rate limit (no image sent: the form's 400, not a 429).
            *(client.post("/verify/", {}) for _ in range(3)),
        ],
    )

    assert responses is not None, "a page hung on Redis"
    assert [r.status_code for r in responses] == [200, 302, 400, 400, 400]
    assert responses[0].context["user"] == owner
    assert post.comments.filter(author=owner, text="Still here.").count() == 1


# Sent in a fresh interpreter with production's settings: the Celery app reads its broker options
# once. SIGALRM ends a send that hangs (exit status -14) instead of this test waiting forever.
SEND_A_TASK = """
import os, signal, time
signal.alarm(%d)
os.environ["DJANGO_SETTINGS_MODULE"] = "modelsnapper.settings"
import django
django.setup()
from modelsnapper.celery import app
try:
    app.send_task("modelsnapper.tasks.beat_heartbeat")
    print("sent")
except Exception as exc:
    print("refused:", type(exc).__name__)
"""


def test_a_task_sent_while_redis_hangs_is_refused_within_seconds_for_the_outbox_to_send_again(redis_hung):
    # A send is tried four times (Celery's publish retry policy), each ending at the socket timeout.
    result = run_with(SEND_A_TASK % 20, **{**PRODUCTION, "REDIS_URL": redis_hung.url})

    assert result.returncode == 0, f"the send hung on Redis (status {result.returncode}): {result.stderr}"
    assert result.stdout.strip() == "refused: OperationalError"
