"""Active sessions are recorded at sign-in and refreshed at most once a minute, not on every page."""

from datetime import timedelta

from allauth.usersessions.models import UserSession
from allauth.usersessions.signals import session_client_changed
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modelsnapper.testing.isolation import recorder


def usersession_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return sum("usersessions_usersession" in q["sql"] for q in ctx.captured_queries)


def test_session_tracking_runs_once_a_minute_per_session(client, owner, password):
    client.post("/accounts/login/", {"login": owner.email, "password": password})
    assert UserSession.objects.filter(user=owner).count() == 1

    assert usersession_queries(client, "/settings/") > 0  # first page of the minute: recorded
    assert usersession_queries(client, "/settings/") == 0
    assert usersession_queries(client, "/u/owner/") == 0

    cache.delete(f"usersession-seen:{client.session.session_key}")  # the minute has passed
    assert usersession_queries(client, "/settings/") > 0
    assert UserSession.objects.filter(user=owner).count() == 1


def _round_trips(client, url: str) -> int:
    with recorder.commands() as commands:
        assert client.get(url).status_code == 200
    return len(commands)


def test_the_once_a_minute_session_record_is_one_round_trip_when_the_same_browser_comes_back(
    client, owner, password
):
    client.post("/accounts/login/", {"login": owner.email, "password": password})
    recorded = UserSession.objects.get(user=owner)
    UserSession.objects.filter(pk=recorded.pk).update(
        last_seen_at=recorded.last_seen_at - timedelta(minutes=5)
    )

    client.get("/settings/")  # the first page after signing in records the session (and last_active)
    within_the_minute = _round_trips(client, "/settings/")
    cache.delete(f"usersession-seen:{client.session.session_key}")  # the minute has passed
    recording = _round_trips(client, "/settings/")

    assert recording - within_the_minute == 1  # one conditional update: no read of the record, no user load
    assert UserSession.objects.get(pk=recorded.pk).last_seen_at > recorded.last_seen_at


def test_a_session_seen_from_another_browser_is_recorded_with_its_new_client(client, owner, password):
    client.post("/accounts/login/", {"login": owner.email, "password": password})
    changes = []

    def changed(**kwargs):
        changes.append(kwargs["to_session"].user_agent)

    session_client_changed.connect(changed)
    try:
        cache.delete(f"usersession-seen:{client.session.session_key}")
        client.get("/settings/", HTTP_USER_AGENT="Another browser/2.0")
    finally:
        session_client_changed.disconnect(changed)

    assert UserSession.objects.get(user=owner).user_agent == "Another browser/2.0"
    assert changes == ["Another browser/2.0"]  # allauth's signal still fires on a new client
