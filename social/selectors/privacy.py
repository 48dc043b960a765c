"""Who may see what: blocks, follows, group membership, and ``can_view_post``, the one rule
for a single post (page, comments, likes list, media). Lists of other people's posts apply
the same rule without per-post queries (``visible_in_list``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Q

from social.models import Block, CloseFriend, Comment, Follow, GroupMembership, ModerationState, Post, Story


def is_authed(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


# --- Relationships -----------------------------------------------------------------------------


BLOCKS_CACHE_SECONDS = 300


def _blocks_token_key(user_id: Any) -> str:
    return f"social:blocks-token:{user_id}"


def _blocks(user) -> tuple[frozenset, frozenset]:
    """(whom ``user`` blocked, who blocked ``user``): one query, then from the cache.

    Every block and unblock goes through ``services.block_create``/``block_delete``, which
    call ``blocks_forget`` for both people after the write. The entry is filed under a
    random token that ``blocks_forget`` replaces, and the token is read *before* the query:
    a page that read the blocks just before a new block was written files its (stale)
    answer under the old token, which no later request reads.
    """
    token_key = _blocks_token_key(user.pk)
    token = cache.get(token_key)
    if token is None:
        cache.add(token_key, uuid.uuid4().hex, None)
        token = cache.get(token_key)
    key = f"social:blocks:{user.pk}:{token}"
    blocks = cache.get(key)
    if blocks is None:
        rows = list(
            Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list("blocker_id", "blocked_id")
        )
        blocks = (
            frozenset(blocked for blocker, blocked in rows if blocker == user.pk),
            frozenset(blocker for blocker, blocked in rows if blocked == user.pk),
        )
        cache.set(key, blocks, BLOCKS_CACHE_SECONDS)
    return blocks


def blocks_forget(*user_ids: Any) -> None:
    """After a block or unblock: what each of these people reads next comes from the database."""
    for user_id in user_ids:
        cache.set(_blocks_token_key(user_id), uuid.uuid4().hex, None)


def blocked_user_ids(viewer) -> set:
    """People ``viewer`` blocked or who blocked ``viewer`` (the cached block sets)."""
    if not is_authed(viewer):
        return set()
    blocked_by_me, blocked_me = _blocks(viewer)
    return set(blocked_by_me | blocked_me)


def is_blocked_between(a, b) -> bool:
    """A check before a write (comment, follow, invite) asks the database, not the cache."""
    if not (is_authed(a) and is_authed(b)):
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def has_blocked(blocker, blocked) -> bool:
    return is_authed(blocker) and Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def is_following(follower, following) -> bool:
    return is_authed(follower) and following.pk in following_ids(follower)


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
    """How ``viewer`` relates to ``person`` (from the viewer's cached follows and blocks)."""
    if not is_authed(viewer) or viewer.pk == person.pk:
        return Relationship()
    cache = person.__dict__.setdefault("_social_relationships", {})
    if viewer.pk not in cache:
        blocked_by_me, blocked_me = _blocks(viewer)
        cache[viewer.pk] = Relationship(
            blocked_by_them=person.pk in blocked_me,
            blocked_by_me=person.pk in blocked_by_me,
            following=person.pk in following_ids(viewer),
            notify=person.pk not in following_muted_ids(viewer),
        )
    return cache[viewer.pk]


def allowed_visibilities(viewer, author) -> list[str]:
    """Which post visibilities of ``author`` ``viewer`` may see (empty when blocked)."""
    if is_authed(viewer) and viewer.pk == author.pk:
        return [v.value for v in Post.Visibility]
    rel = relationship(viewer, author)
    if rel.blocked:
        return []
    if rel.following:
        return [Post.Visibility.PUBLIC, Post.Visibility.FOLLOWERS]
    return [Post.Visibility.PUBLIC]


def active_member(user, group) -> GroupMembership | None:
    if not is_authed(user) or group is None:
        return None
    return GroupMembership.objects.filter(
        group=group, user=user, status=GroupMembership.Status.ACTIVE
    ).first()


def can_view_post(viewer, post: Post) -> bool:
    """The one privacy rule for a single post (page, comments, likes list, media)."""
    author_id = post.author_id
    if is_authed(viewer) and viewer.pk == author_id:
        return post.deleted_at is None
    if not post.live:
        return False
    if post.visibility == Post.Visibility.PRIVATE:
        return False
    # Safety net for a deleted account: its posts are hidden when it is deleted, but a
    # post that step missed still never shows (the author is usually loaded already).
    if not post.author.is_visible:
        return False
    if not is_authed(viewer):
        allowed = post.visibility == Post.Visibility.PUBLIC
    else:
        if author_id in blocked_user_ids(viewer):
            return False
        allowed = post.visibility == Post.Visibility.PUBLIC or author_id in following_ids(viewer)
    if allowed and post.closed_group:
        allowed = (
            is_authed(viewer)
            and GroupMembership.objects.filter(
                group_id=post.group_id, user=viewer, status=GroupMembership.Status.ACTIVE
            ).exists()
        )
    return allowed


def visible_in_list(viewer, post: Post, followed: set, blocked: set) -> bool:
    """``can_view_post`` without per-post queries, for lists of other people's posts."""
    if post.author_id == viewer.pk:
        return post.deleted_at is None
    if not post.live or post.closed_group or post.author_id in blocked:
        return False
    if post.visibility == Post.Visibility.PUBLIC:
        return True
    return post.visibility == Post.Visibility.FOLLOWERS and post.author_id in followed


def visible_posts(viewer, posts: list[Post]) -> list[Post]:
    """The posts of a list (authors loaded) that ``viewer`` may see: ``visible_in_list`` for a
    signed-in viewer, what explore shows a visitor (``listed``) otherwise."""
    if is_authed(viewer):
        followed, blocked = set(following_ids(viewer)), blocked_user_ids(viewer)
        return [p for p in posts if p.author.is_visible and visible_in_list(viewer, p, followed, blocked)]
    return [p for p in posts if p.author.is_visible and p.listed]


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
    if not is_authed(viewer):
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
    if not is_authed(viewer):
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
