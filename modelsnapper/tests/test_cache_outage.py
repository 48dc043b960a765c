"""Redis away (a restart, a blip): the site keeps answering on the cache production configures.

Found by the soak (benchmarks/soak.py): while Redis restarted, a signed-in comment answered
500 because the session-activity middleware's ``cache.add`` raised. Redis only caches here:
sessions live in MongoDB, rate limits fail open with a log line, and health still says the
cache is down.
"""

from __future__ import annotations

import logging

import pytest

from generation.testing import free_port
from modelsnapper import ratelimit
from modelsnapper.testing.factories.social import PostFactory
from modelsnapper.testing.settings import PRODUCTION, run_with


@pytest.fixture(scope="module")
def production_cache_backend() -> str:
    """The cache backend the settings choose in production (REDIS_URL set), read in a fresh interpreter."""
    result = run_with(
        "import modelsnapper.settings as s; print(s.CACHES['default']['BACKEND'])", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def redis_down(settings, production_cache_backend):
    """Production's cache, pointed at a port where nothing listens."""
    settings.CACHES = {
        "default": {"BACKEND": production_cache_backend, "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }


def test_a_signed_in_person_reads_and_comments_while_redis_is_unreachable(client, owner, friend, redis_down):
    post = PostFactory(author=friend)
    client.force_login(owner)

    wallet = client.get("/billing/wallet/")
    commented = client.post(f"/social/p/{post.pk}/comments/", {"text": "Still here."})

    assert wallet.status_code == 200
    assert wallet.context["user"] == owner
    assert commented.status_code == 302
    assert post.comments.filter(author=owner, text="Still here.").count() == 1


def test_rate_limits_let_requests_through_and_log_it_while_redis_is_unreachable(db, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="modelsnapper.cache"):
        allowed = [ratelimit.hit("generate", "someone", limit=1, window=60) for _ in range(3)]

    assert allowed == [True, True, True]
    assert any("cache unreachable" in record.getMessage() for record in caplog.records)


def test_health_still_reports_the_cache_down_while_redis_is_unreachable(client, db, redis_down):
    ready = client.get("/readyz")

    assert ready.status_code == 200
    assert ready.json()["checks"]["cache"]["status"] == "error"
