"""Active sessions are recorded at sign-in and refreshed at most once a minute, not on every page."""

from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


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
