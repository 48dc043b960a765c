"""Every read the main signed-in pages send is served by an index (issue 17 item 4).

Each page is rendered once with the command recorder on (``modelsnapper.testing.isolation``);
every ``find`` and ``aggregate`` it sent is explained on the same server, and each ``$unionWith``
branch is explained as an aggregation of its own collection. A plan with a ``COLLSCAN`` fails
the test, naming the page and the command. Counts of round trips are pinned elsewhere
(``social/tests/test_query_counts.py``); this is about how each one is served, which carries
over to a real MongoDB. ``-s`` prints the queries and their indexes (``benchmarks/QUERIES.md``
is that list).

SecantusDB explains an aggregation like MongoDB: the plan of the first ``$match`` under
``queryPlanner.winningPlan`` (or ``stages[0].$cursor``); stages after it (``$sort``, ``$limit``,
``$lookup`` on ``_id``) are not planned, so a ``$lookup`` is checked by its ``foreignField``
being ``_id``.
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.urls import reverse

from generation.models import Job
from modelsnapper.testing.factories import AIModelFactory, JobFactory, fund
from modelsnapper.testing.isolation import recorder
from social import services
from social.seed import seed_posts

# Collections read whole on purpose: a staff-curated catalog of a few dozen rows, listed in
# full on the pages that offer a choice of it (history's model filter). Anything else is a bug.
WHOLE_CATALOGS = {"generation_aimodel"}
# Reads that still scan a collection on SecantusDB (issue 17): SecantusDB walks an index for
# equalities and then one $in or range; this filter has two ($in on the author, a range on the
# expiry). Stories live 24 hours (TTL index), so the collection stays small; a real MongoDB
# serves it with story_author (author, -expires_at).
KNOWN_SCANS = {
    "social_story(author_id, expires_at)",
}
# Command fields that are about the session or transport, not the query.
TRANSPORT = {"lsid", "$clusterTime", "$db", "txnNumber", "autocommit", "startTransaction", "$readPreference"}


def _stages(plan: dict) -> list[dict]:
    found = [plan]
    for key in ("inputStage", "queryPlan"):
        if isinstance(plan.get(key), dict):
            found += _stages(plan[key])
    for child in plan.get("inputStages", []):
        found += _stages(child)
    return found


def _winning_plan(explained: dict) -> dict:
    if "queryPlanner" in explained:
        return explained["queryPlanner"]["winningPlan"]
    return explained["stages"][0]["$cursor"]["queryPlanner"]["winningPlan"]


def _reads(command: dict) -> list[tuple[str, dict]]:
    """(collection, explainable command) for a find/aggregate and each of its $unionWith branches."""
    name = next(iter(command))
    if name not in ("find", "aggregate"):
        return []
    body = {k: v for k, v in command.items() if k not in TRANSPORT}
    reads = [(command[name], body)]
    for stage in command.get("pipeline", []) if name == "aggregate" else []:
        union = stage.get("$unionWith")
        if union:
            reads.append(
                (union["coll"], {"aggregate": union["coll"], "pipeline": union["pipeline"], "cursor": {}})
            )
    return reads


def _shape(read: dict) -> str:
    """A read's collection and the keys it filters on: what an index must serve."""
    name = next(iter(read))
    if name == "find":
        match = read.get("filter", {})
    else:
        first = (read.get("pipeline") or [{}])[0]
        match = first.get("$match", {})
    return f"{read[name]}({', '.join(sorted(match))})"


def _explain(database, command: dict) -> tuple[list[str], list[str]]:
    """(stage names, index names) of the command's winning plan."""
    explained = database.command("explain", command, verbosity="queryPlanner")
    stages = _stages(_winning_plan(explained))
    return [s.get("stage") for s in stages], [s["indexName"] for s in stages if "indexName" in s]


def _lookups_off_id(command: dict) -> list[dict]:
    return [
        stage["$lookup"]
        for stage in command.get("pipeline", [])
        if "$lookup" in stage and stage["$lookup"].get("foreignField") not in (None, "_id")
    ]


@pytest.fixture
def pages(client, owner, friend):
    """A small world with one of everything the pages show, and the friend signed in."""
    services.follow_create(follower=friend, following=owner)
    post = services.post_create(author=owner, category="text-post", caption="a lighthouse at dusk #coast")
    comment = services.comment_create(author=friend, post=post, text="lovely")
    services.comment_create(author=owner, post=post, text="thanks", parent=comment)
    services.like_add(user=friend, target=post)
    group = services.group_create(creator=owner, name="Lighthouses")
    services.group_join(user=friend, group=group)
    services.post_create(author=owner, category="text-post", caption="in the group #coast", group=group)
    seed_posts(count=30)
    fund(friend, 20)
    JobFactory(user=friend, ai_model=AIModelFactory(), outputs=2, status=Job.Status.COMPLETED)
    client.force_login(friend)
    return {
        "following": reverse("social:following"),
        "explore": reverse("social:explore"),
        "explore_category": reverse("social:explore") + "?category=text-post",
        "trending": reverse("social:trending") + "?period=week",
        "profile": reverse("social:profile_posts", args=[owner.username]),
        "post": reverse("social:post_detail", args=[post.pk]),
        "group": reverse("social:group_detail", args=[group.slug]),
        "tag": reverse("social:tag", args=["coast"]),
        "search": reverse("social:search") + "?q=lighthouse",
        "history": reverse("generation:history"),
        "dashboard": reverse("social:dashboard"),
        "notifications": reverse("social:notifications"),
        "wallet": reverse("billing:wallet"),
        "ledger": reverse("billing:ledger"),
    }


@pytest.mark.slow
def test_every_read_of_the_main_pages_is_served_by_an_index(client, pages, capsys):
    database = connections["default"].database
    for url in pages.values():  # first requests fill the caches (session, windows, snapshots)
        assert client.get(url).status_code == 200, url
    scans, listing = set(), []
    for page, url in pages.items():
        with recorder.commands() as commands:
            assert client.get(url).status_code == 200, url
        for command in commands:
            for collection, read in _reads(command):
                stages, indexes = _explain(database, read)
                listing.append(f"{page:<16} {_shape(read):<60} {', '.join(indexes) or 'COLLSCAN'}")
                if "COLLSCAN" in stages and collection not in WHOLE_CATALOGS:
                    scans.add(_shape(read))
            assert _lookups_off_id(command) == [], (page, command)
    with capsys.disabled():
        print("\n" + "\n".join(sorted(set(listing))))
    assert len(listing) >= 2 * len(pages)  # the recorder saw every page's reads
    # A new collection scan fails here, naming the read; one that an index now serves must
    # leave the list (benchmarks/QUERIES.md says why each is here and what index it needs).
    assert sorted(scans) == sorted(KNOWN_SCANS)
