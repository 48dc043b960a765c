"""The query-shape adjustments never change results (they only change which index serves them)."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from social import selectors, services
from social.models import Like, Post
from social.queryshape import WINDOW_TARGET, merge_and, recent_window
from social.seed import seed_posts


def test_merge_and_merges_distinct_keys_and_same_key_operators():
    assert merge_and({"$and": [{"a": 1}, {"b": {"$in": [1]}}]}) == {"a": 1, "b": {"$in": [1]}}
    assert merge_and({"$and": [{"_id": {"$lt": 5}}, {"_id": {"$gte": 1}}, {"x": True}]}) == {
        "_id": {"$lt": 5, "$gte": 1},
        "x": True,
    }
    nested = {"$and": [{"$and": [{"a": 1}, {"b": 2}]}, {"c": 3}]}
    assert merge_and(nested) == {"a": 1, "b": 2, "c": 3}


def test_merge_and_keeps_and_when_merging_would_change_meaning():
    same_key = {"$and": [{"a": 1}, {"a": 2}]}
    same_op = {"$and": [{"a": {"$lt": 5}}, {"a": {"$lt": 3}}]}
    two_ors = {"$and": [{"$or": [{"a": 1}]}, {"$or": [{"b": 1}]}]}
    for mql in (same_key, same_op, two_ors):
        assert merge_and(mql) == mql
    assert merge_and({"a": 1}) == {"a": 1}


def test_orm_queries_are_sent_merged(owner):
    with CaptureQueriesContext(connection) as ctx:
        list(Like.objects.filter(user=owner, target_type="post"))
    assert "$and" not in ctx.captured_queries[-1]["sql"]


def _walk(viewer, fetch):
    ids, cursor = [], None
    while True:
        page = fetch(viewer, cursor)
        ids.extend(p.pk for p in page.items)
        if not page.has_more:
            return ids
        cursor = page.next_cursor


def test_feeds_are_identical_with_and_without_the_adjustments(settings, owner, friend, stranger):
    seed_posts(count=700)
    services.follow_create(follower=friend, following=owner)
    feeds = {
        "explore": lambda v, c: selectors.explore_feed(v, cursor=c),
        "explore_text": lambda v, c: selectors.explore_feed(v, category="text-post", cursor=c),
        "following": lambda v, c: selectors.following_feed(v, c),
        "profile": lambda v, c: selectors.profile_posts(v, owner, cursor=c),
        "trending": lambda v, c: selectors.trending_feed(v, period="month", cursor=c),
    }
    shaped = {name: _walk(friend, fetch) for name, fetch in feeds.items()}
    assert recent_window("explore:all", Post.objects.filter(listed=True)) is not None  # windows were used
    settings.QUERY_MERGE_AND = False
    cache.clear()
    import social.queryshape as qs

    original, qs.WINDOW_TARGET = qs.WINDOW_TARGET, 10**9  # no window is ever big enough: unbounded
    try:
        plain = {name: _walk(friend, fetch) for name, fetch in feeds.items()}
    finally:
        qs.WINDOW_TARGET = original
    assert shaped == plain
    listed = list(Post.objects.filter(listed=True).order_by("-id").values_list("id", flat=True))
    assert shaped["explore"] == listed
    assert WINDOW_TARGET == 60
