import pytest

from modelsnapper import embedded


def test_healthz_reports_every_dependency_up(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_healthz_answers_503_json_when_the_database_is_down(client, database_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "error"


def test_pages_show_a_friendly_503_when_the_database_is_down(client, database_down):
    client.raise_request_exception = False
    response = client.get("/u/somebody/")

    assert response.status_code == 503
    assert b"can't reach its database" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.slow
def test_a_like_that_conflicts_on_every_attempt_answers_a_friendly_busy_page_and_saves_nothing(
    client, friend, owner
):
    """The back-to-back soak (20 clients, no pauses) saw a like's transaction conflict 60
    times in a row on a hot post, and the person got a 500."""
    from django.urls import reverse

    from modelsnapper.testing import faults
    from social import services
    from social.models import Like, Post

    post = services.post_create(author=owner, category="text-post", caption="everyone likes this")
    client.force_login(friend)
    assert client.get(reverse("social:explore")).status_code == 200  # the session's own first writes
    client.raise_request_exception = False
    with faults.failing("insert", times=1000, code=112, labels=["TransientTransactionError"]):
        response = client.post(reverse("social:post_like", args=[post.pk]))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Too many people changed the same thing at once" in response.content
    assert not Like.objects.filter(user=friend).exists()
    assert Post.objects.get(pk=post.pk).likes_count == 0


def test_healthz_rejects_writes(client, db):
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def cache_down(settings):
    """The cache is Redis on a port where nothing listens (a Redis blip)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{embedded.free_port()}/0",
        }
    }


@pytest.fixture
def broker_down():
    from modelsnapper.celery import app

    real = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{embedded.free_port()}/0"
    yield
    app.conf.broker_url = real


def test_livez_answers_without_touching_the_database(client, database_down, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get("/livez")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_check_with_its_latency(client, db):
    response = client.get("/readyz")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "broker", "cache", "storage"}
    assert all(check["status"] == "ok" and check["ms"] >= 0 for check in checks.values())


def test_readyz_answers_503_when_the_database_is_down(client, database_down):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "error"


def test_readyz_answers_503_when_the_broker_is_down(client, db, broker_down):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "error"


def test_a_cache_blip_is_reported_as_degraded_but_keeps_the_instance_ready(client, db, cache_down):
    ready = client.get("/readyz")
    human = client.get("/healthz")

    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["cache"]["status"] == "error"
    assert human.status_code == 200
    assert human.json()["status"] == "degraded"


def test_health_probes_write_nothing(client, db):
    from modelsnapper.testing.isolation import recorder

    before = recorder.peek()
    for url in ("/healthz", "/readyz", "/livez"):
        assert client.get(url).status_code == 200

    assert recorder.peek() - before == set()
