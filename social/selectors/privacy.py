"""Who may see what: blocks, follows, group membership, and ``can_view_post``, the one rule
for a single post (page, comments, likes list, media). Lists of other people's posts apply
the same rule without per-post queries (``_visible_in_list``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Q

from social.models import Block, CloseFriend, Comment, Follow, GroupMembership, ModerationState, Post, Story


def _authed(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


# --- Relationships -----------------------------------------------------------------------------


def blocked_user_ids(viewer) -> set:
    """People ``viewer`` blocked or who blocked ``viewer`` (one query)."""
    if not _authed(viewer):
        return set()
    ids = set()
    for blocker_id, blocked_id in Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer)).values_list(
        "blocker_id", "blocked_id"
    ):
        ids.add(blocked_id if blocker_id == viewer.pk else blocker_id)
    return ids


def is_blocked_between(a, b) -> bool:
    if not (_authed(a) and _authed(b)):
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def has_blocked(blocker, blocked) -> bool:
    return _authed(blocker) and Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def is_following(follower, following) -> bool:
    return _authed(follower) and following.pk in following_ids(follower)


FOLLOWING_CACHE_SECONDS = 300


def _following_key(user_id: Any) -> str:
    # v2: (followed ids, followed ids whose post notices are off)
    return f"social:following:v2:{user_id}"


def following_ids(user) -> list:
    """Whom ``user`` follows, from the cache when it is there.

    Only the user's own follows and unfollows change this list, and both go through
    ``services.follow_create``/``follow_delete``, which drop the cache entry: feeds,
    profiles and the privacy check then skip a round trip per page.
    """
    return list(_follows(user)[0])


def following_muted_ids(user) -> list:
    """Whom ``user`` follows with the follow's post notices switched off (same cache entry)."""
    return list(_follows(user)[1])


def _follows(user) -> tuple[list, list]:
    key = _following_key(user.pk)
    follows = cache.get(key)
    if follows is None:
        rows = list(Follow.objects.filter(follower=user).values_list("following_id", "notifications_enabled"))
        follows = ([pk for pk, _ in rows], [pk for pk, notify in rows if not notify])
        cache.set(key, follows, FOLLOWING_CACHE_SECONDS)
    return follows


def following_ids_forget(user_id: Any) -> None:
    cache.delete(_following_key(user_id))


@dataclass(frozen=True)
class Relationship:
    blocked_by_them: bool = False
    blocked_by_me: bool = False
    following: bool = False
    # While following: whether their new posts notify me (the follow's switch).
    notify: bool = True

    @property
    def blocked(self) -> bool:
        return self.blocked_by_them or self.blocked_by_me


def relationship(viewer, person) -> Relationship:
    """How ``viewer`` relates to ``person`` (2 queries, remembered on ``person`` for the request)."""
    if not _authed(viewer) or viewer.pk == person.pk:
        return Relationship()
    cache = person.__dict__.setdefault("_social_relationships", {})
    if viewer.pk not in cache:
        blocks = list(
            Block.objects.filter(
                Q(blocker=viewer, blocked=person) | Q(blocker=person, blocked=viewer)
            ).values_list("blocker_id", flat=True)
        )
        cache[viewer.pk] = Relationship(
            blocked_by_them=person.pk in blocks,
            blocked_by_me=viewer.pk in blocks,
            following=person.pk in following_ids(viewer),
            notify=person.pk not in following_muted_ids(viewer),
        )
    return cache[viewer.pk]


def allowed_visibilities(viewer, author) -> list[str]:
    """Which post visibilities of ``author`` ``viewer`` may see (empty when blocked)."""
    if _authed(viewer) and viewer.pk == author.pk:
        return [v.value for v in Post.Visibility]
    rel = relationship(viewer, author)
    if rel.blocked:
        return []
    if rel.following:
        return [Post.Visibility.PUBLIC, Post.Visibility.FOLLOWERS]
    return [Post.Visibility.PUBLIC]


def active_member(user, group) -> GroupMembership | None:
    if not _authed(user) or group is None:
        return None
    return GroupMembership.objects.filter(
        group=group, user=user, status=GroupMembership.Status.ACTIVE
    ).first()


def can_view_post(viewer, post: Post) -> bool:
    """The one privacy rule for a single post (page, comments, likes list, media)."""
    author_id = post.author_id
    if _authed(viewer) and viewer.pk == author_id:
        return post.deleted_at is None
    if not post.live:
        return False
    if post.visibility == Post.Visibility.PRIVATE:
        return False
    # Safety net for a deleted account: its posts are hidden when it is deleted, but a
    # post that step missed still never shows (the author is usually loaded already).
    if not post.author.is_visible:
        return False
    if not _authed(viewer):
        allowed = post.visibility == Post.Visibility.PUBLIC
    else:
        if Block.objects.filter(
            Q(blocker=viewer, blocked_id=author_id) | Q(blocker_id=author_id, blocked=viewer)
        ).exists():
            return False
        allowed = post.visibility == Post.Visibility.PUBLIC or author_id in following_ids(viewer)
    if allowed and post.closed_group:
        allowed = (
            _authed(viewer)
            and GroupMembership.objects.filter(
                group_id=post.group_id, user=viewer, status=GroupMembership.Status.ACTIVE
            ).exists()
        )
    return allowed


def _visible_in_list(viewer, post: Post, followed: set, blocked: set) -> bool:
    """``can_view_post`` without per-post queries, for lists of other people's posts."""
    if post.author_id == viewer.pk:
        return post.deleted_at is None
    if not post.live or post.closed_group or post.author_id in blocked:
        return False
    if post.visibility == Post.Visibility.PUBLIC:
        return True
    return post.visibility == Post.Visibility.FOLLOWERS and post.author_id in followed


def is_shown_comment(comment: Comment) -> bool:
    return comment.deleted_at is None and comment.moderation_state == ModerationState.OK


# --- Stories -----------------------------------------------------------------------------------


def _close_friend_of_key(user_id: Any) -> str:
    return f"social:close-friend-of:{user_id}"


def close_friend_of_ids(viewer) -> set:
    """The people whose close-friends list ``viewer`` is on, from the cache when it is there.

    Only ``services.close_friend_add``/``close_friend_remove`` change it, and both drop the
    entry, so the following page's stories strip costs no round trip for it.
    """
    if not _authed(viewer):
        return set()
    key = _close_friend_of_key(viewer.pk)
    ids = cache.get(key)
    if ids is None:
        ids = list(CloseFriend.objects.filter(friend=viewer).values_list("owner_id", flat=True))
        cache.set(key, ids, FOLLOWING_CACHE_SECONDS)
    return set(ids)


def close_friend_of_forget(user_id: Any) -> None:
    cache.delete(_close_friend_of_key(user_id))


def can_view_story(viewer, story: Story, *, followed=None, close_to=None, blocked=None) -> bool:
    """The one rule for who sees a live story (its page, its media, the strip).

    Lists pass the viewer's follows, close-friend-of and block sets, loaded once; for a single
    story the rule asks the database only what the story's audience needs.
    """
    if not _authed(viewer):
        return False
    author_id = story.author_id
    if viewer.pk == author_id:
        return True
    if blocked is None:
        blocked_now = Block.objects.filter(
            Q(blocker=viewer, blocked_id=author_id) | Q(blocker_id=author_id, blocked=viewer)
        ).exists()
    else:
        blocked_now = author_id in blocked
    if blocked_now:
        return False
    if story.visibility == Story.Visibility.FOLLOWERS:
        return author_id in (following_ids(viewer) if followed is None else followed)
    if story.visibility == Story.Visibility.CLOSE_FRIENDS:
        if close_to is None:
            return CloseFriend.objects.filter(owner_id=author_id, friend=viewer).exists()
        return author_id in close_to
    return story.visibility == Story.Visibility.ALL
