"""The history page's round trips are pinned (issue 17): five, however many jobs anyone has and
whatever the filter (six with personal-model jobs: test_personal_model_labels)."""

from __future__ import annotations

from django.urls import reverse

from modelsnapper.testing.factories import JobFactory, UserFactory
from modelsnapper.testing.isolation import recorder

HISTORY = reverse("generation:history")
# The signed-in user, the catalog (the model filter's choices, which also name the page's jobs'
# models), my page of jobs, their images and my boards. A change that adds a read to the page
# must change this on purpose. (Six before the jobs' models came from the filter's read.)
HISTORY_ROUND_TRIPS = 5


def _round_trips(client, url) -> int:
    """Every command the request sends (raw pymongo calls and writes included)."""
    with recorder.commands() as commands:
        assert client.get(url).status_code == 200
    return len(commands)


def test_history_makes_five_round_trips_with_two_jobs_and_with_forty_among_many_and_filtered_by_model(
    client, owner, local_model
):
    client.force_login(owner)
    for _ in range(2):
        JobFactory(user=owner, ai_model=local_model, outputs=2)
    client.get(HISTORY)  # the first page of a session also loads what the session caches
    urls = {view: f"{HISTORY}?view={view}" for view in ("list", "gallery")}
    urls["by model"] = f"{HISTORY}?view=list&model={local_model.slug}"
    few = {name: _round_trips(client, url) for name, url in urls.items()}

    someone = UserFactory()
    for n in range(40):
        JobFactory(user=owner if n % 2 else someone, ai_model=local_model, outputs=2)
    many = {name: _round_trips(client, url) for name, url in urls.items()}

    assert few == many == dict.fromkeys(urls, HISTORY_ROUND_TRIPS)
