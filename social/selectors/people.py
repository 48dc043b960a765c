"""People: a person for a viewer, followers and following, people to discover."""

from __future__ import annotations

from django.http import Http404

from accounts.models import User
from accounts.selectors import user_get_public
from social.models import Follow, Post
from social.selectors.paging import Page, attach_authors, keyset
from social.selectors.privacy import blocked_user_ids, following_ids, is_authed, relationship


def person_for_viewer(viewer, username: str):
    """A visible person, or 404 (also when they blocked the viewer)."""
    person = user_get_public(username=username)
    if relationship(viewer, person).blocked_by_them:
        raise Http404("No such person.")
    return person


def follow_list(person, *, direction: str, cursor: str | None = None) -> Page:
    """Followers (``direction="followers"``) or people followed (``"following"``)."""
    if direction == "followers":
        qs, related = Follow.objects.filter(following=person), "follower"
    else:
        qs, related = Follow.objects.filter(follower=person), "following"
    rows, next_cursor = keyset(qs, cursor)
    return Page([getattr(r, related) for r in attach_authors(rows, related)], next_cursor)


# --- Discovery ---------------------------------------------------------------------------------

DISCOVER_SIZE = 8
# Bounded reads: the follows of at most this many of the people I follow, and the authors of
# the newest listed posts (post_listed_id index), never a scan of a whole collection.
FRIENDS_SAMPLED = 200
FOLLOWS_READ = 2000
RECENT_POSTS_READ = 300


def _discoverable(viewer, ids) -> list[User]:
    """The people behind ``ids``, in that order, without the viewer, whom they follow, whom
    they blocked or who blocked them, and deleted or deactivated accounts (one query)."""
    excluded = set(blocked_user_ids(viewer))
    if is_authed(viewer):
        excluded |= {viewer.pk, *following_ids(viewer)}
    wanted = [pk for pk in dict.fromkeys(ids) if pk not in excluded]
    people = User.objects.in_bulk(wanted)
    return [people[pk] for pk in wanted if pk in people and people[pk].is_visible]


def trending_creators(viewer, *, size: int = DISCOVER_SIZE, now=None) -> list[User]:
    """Authors of this week's trending posts (the trending page's snapshot), by their summed score."""
    from social.selectors.feeds import trending_snapshot

    snapshot = trending_snapshot("week", now=now)
    authors = dict(Post.objects.filter(pk__in=[pk for pk, _ in snapshot]).values_list("id", "author_id"))
    score: dict = {}
    for pk, hot in snapshot:
        if pk in authors:
            score[authors[pk]] = score.get(authors[pk], 0) + hot
    ranked = sorted(score, key=lambda author_id: -score[author_id])
    return _discoverable(viewer, ranked)[:size]


def who_to_follow(viewer, *, size: int = DISCOVER_SIZE) -> list[User]:
    """Friends of friends (most followed by the people I follow first), then active creators
    (who posted publicly most recently)."""
    ranked: list = []
    if is_authed(viewer):
        mine = following_ids(viewer)[:FRIENDS_SAMPLED]
        if mine:
            counts: dict = {}
            for pk in Follow.objects.filter(follower_id__in=mine).values_list("following_id", flat=True)[
                :FOLLOWS_READ
            ]:
                counts[pk] = counts.get(pk, 0) + 1
            ranked = sorted(counts, key=lambda pk: -counts[pk])
    recent = Post.objects.filter(listed=True).order_by("-id").values_list("author_id", flat=True)
    ranked += list(recent[:RECENT_POSTS_READ])
    return _discoverable(viewer, ranked)[:size]
