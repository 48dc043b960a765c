"""What several social test modules share: the pinned query counts of the social pages, and\nposts written at given ages with what the server examined to show them."""

from __future__ import annotations

from datetime import timedelta

from django.db import connections
from django.utils import timezone

from modelsnapper.testing.isolation import recorder
from social.models import Post
from social.search import terms_for
from social.seed import object_id_at

# Pinned round trips made by the social page itself for a logged-in viewer. Queries made by
# other apps' middleware (session, request.user, session tracking, last_active) are counted
# separately: their total must also be the same at both sizes. Changing a page's query shape
# must update these on purpose. Pages read whom the viewer follows and the viewer's blocks from
# the cache (social.selectors.privacy), which follows, unfollows, blocks and unblocks drop.
PINNED = {
    # The people I follow (cached), my posts and theirs chosen on five fields, then fetched whole,
    # their authors, my likes and saves (stories ride along): social.selectors.feeds.following_feed.
    "following": 5,
    # + the featured row's two bounded reads (posts, tags), shown on the first page of "All"
    # (the boosted row reads running boosts from the cache, and nothing more when there are none).
    "explore": 5,
    "explore_category": 3,
    "trending": 3,
    "profile": 3,
    # The post, its comment threads (2), everyone's people, my likes and saves; a repeat view
    # today writes nothing (services.post_record_view's hint).
    "post_detail": 5,
    "group": 5,
    "tag": 4,
    "search": 2,
}
MIDDLEWARE_COLLECTIONS = ("db.django_session.", "db.usersessions_usersession.")


def _middleware(command: dict, viewer) -> bool:
    """Whether a command is the request's own upkeep (session, request.user, last_active)."""
    name = next(iter(command))
    collection = command[name]
    if f"db.{collection}." in MIDDLEWARE_COLLECTIONS:
        return True
    if collection != "accounts_user":
        return False
    if name == "aggregate":
        return command["pipeline"] == [{"$match": {"_id": viewer.pk}}, {"$limit": 21}]
    return name == "update" and "last_active" in str(command["updates"])


def page_queries(client, url, viewer) -> tuple[int, int]:
    """(page round trips, all round trips) for one GET of ``url`` by ``viewer``: every command
    sent to the server (modelsnapper.testing.isolation's recorder), raw pymongo calls included."""
    with recorder.commands() as commands:
        response = client.get(url)
    assert response.status_code == 200, url
    page = [command for command in commands if not _middleware(command, viewer)]
    return len(page), len(commands)


def posts_at(author, hours_ago: list[float], caption: str, tags: list[str]) -> None:
    """Published public posts at these ages (bulk: ``social.seed`` writes its posts the same way)."""
    now = timezone.now()
    batch = []
    for hours in hours_ago:
        moment = now - timedelta(hours=hours)
        post = Post(
            id=object_id_at(moment),
            author=author,
            category="text-post",
            caption=caption,
            tags=tags,
            visibility="public",
            status="published",
            created_at=moment,
            updated_at=moment,
            published_at=moment,
        )
        post.compute_flags()
        post.search_terms = terms_for(post)
        batch.append(post)
    Post.objects.bulk_create(batch)


TRANSPORT = {"lsid", "$clusterTime", "$db", "txnNumber", "autocommit", "startTransaction", "$readPreference"}


def posts_examined(client, url: str) -> int:
    """Posts the server examined for one GET of ``url`` (after a warm-up request); fails on a scan."""
    assert client.get(url).status_code == 200  # fills the window hint, as any earlier visitor does
    with recorder.commands() as commands:
        assert client.get(url).status_code == 200
    database = connections["default"].database
    examined = 0
    for command in commands:
        name = next(iter(command))
        if name not in ("find", "aggregate") or command[name] != Post._meta.db_table:
            continue
        body = {k: v for k, v in command.items() if k not in TRANSPORT}
        explained = database.command("explain", body, verbosity="executionStats")
        cursor = explained if "queryPlanner" in explained else explained["stages"][0]["$cursor"]
        assert "COLLSCAN" not in str(cursor["queryPlanner"]["winningPlan"]), command
        examined += cursor["executionStats"]["totalDocsExamined"]
    return examined
