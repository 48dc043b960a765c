"""The history page's round trips are pinned (issue 17): six, however many jobs anyone has."""

from __future__ import annotations

from django.urls import reverse

from modelsnapper.testing.factories import JobFactory, UserFactory
from modelsnapper.testing.isolation import recorder

HISTORY = reverse("generation:history")
# The signed-in user, the model filter's choices, my page of jobs, their models, their images
# and my boards. A change that adds a read to the page must change this on purpose.
HISTORY_ROUND_TRIPS = 6


def _round_trips(client, url) -> int:
    """Every command the request sends (raw pymongo calls and writes included)."""
    with recorder.commands() as commands:
        assert client.get(url).status_code == 200
    return len(commands)


def test_history_makes_six_round_trips_with_two_jobs_and_with_forty_among_many(client, owner, local_model):
    client.force_login(owner)
    for _ in range(2):
        JobFactory(user=owner, ai_model=local_model, outputs=2)
    client.get(HISTORY)  # the first page of a session also loads what the session caches
    few = {view: _round_trips(client, f"{HISTORY}?view={view}") for view in ("list", "gallery")}

    someone = UserFactory()
    for n in range(40):
        JobFactory(user=owner if n % 2 else someone, ai_model=local_model, outputs=2)
    many = {view: _round_trips(client, f"{HISTORY}?view={view}") for view in ("list", "gallery")}

    assert few == many == {"list": HISTORY_ROUND_TRIPS, "gallery": HISTORY_ROUND_TRIPS}
