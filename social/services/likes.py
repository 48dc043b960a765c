"""Likes on posts and comments: the Like document and its counters in one transaction, so a
failure between them (the database going away) leaves neither, never a like nobody counted."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import F
from django.utils.translation import gettext as _

from modelsnapper.db import run_in_transaction
from modelsnapper.sentences import Sentence
from social import selectors
from social.models import Comment, Like, Notification, Post
from social.notification_text import LIKED_COMMENT, LIKED_POST
from social.services.achievements import coins_after_like
from social.services.counters import _dec, _delete_found, user_stats_add
from social.services.errors import SocialError
from social.services.notifications import notification_create


class AlreadyLiked(SocialError):
    """The like exists already (a double click): a toggle knows it by its class, since the
    message is in the reader's language."""


def _like_target(target) -> tuple[str, Any, Any, Post]:
    if isinstance(target, Post):
        return Like.Target.POST, target.pk, target.author_id, target
    if isinstance(target, Comment):
        return Like.Target.COMMENT, target.pk, target.author_id, target.post
    raise TypeError("likes are on posts or comments")


def _like_allowed(user, post: Post) -> None:
    if not selectors.can_view_post(user, post):
        raise SocialError(_("You can't like this."))


def like_add(*, user, target) -> None:
    """Like a post or comment. Liking twice is refused and changes nothing."""
    target_type, target_id, author_id, post = _like_target(target)
    _like_allowed(user, post)
    if target_type == Like.Target.COMMENT and not target.is_shown:
        raise SocialError(_("This comment is no longer available."))

    def write() -> None:
        Like.objects.create(user=user, target_type=target_type, target_id=target_id)
        if target_type == Like.Target.POST:
            Post.objects.filter(pk=target_id).update(likes_count=F("likes_count") + 1, hot=F("hot") + 20)
        else:
            Comment.objects.filter(pk=target_id).update(likes_count=F("likes_count") + 1)
        user_stats_add(author_id, likes_received=1)

    try:
        run_in_transaction(write)
    except IntegrityError:
        raise AlreadyLiked(_("You already like this.")) from None
    coins_after_like(post=post)
    if author_id != user.pk:
        notification_create(
            recipient=target.author,
            kind=Notification.Kind.LIKE,
            actor=user,
            target_type="post",
            target_id=post.pk,
            text=Sentence(
                LIKED_POST if target_type == Like.Target.POST else LIKED_COMMENT, {"name": user.username}
            ),
        )


def _like_id(user, target) -> Any:
    """The user's like of the target, or None."""
    target_type = _like_target(target)[0]
    return (
        Like.objects.filter(user=user, target_type=target_type, target_id=target.pk)
        .values_list("pk", flat=True)
        .first()
    )


def like_remove(*, user, target) -> bool:
    """Unlike; returns False (and changes nothing) when there was no like."""
    like_id = _like_id(user, target)
    return like_id is not None and _like_delete(target, like_id)


def _like_delete(target, like_id) -> bool:
    """Delete the like just found and its counts; False when a racing unlike deleted it first
    (the delete's own count decides, so the counts move once)."""
    target_type, target_id, author_id, _ = _like_target(target)

    def write() -> bool:
        if not _delete_found(Like, like_id):
            return False
        if target_type == Like.Target.POST:
            Post.objects.filter(pk=target_id).update(likes_count=F("likes_count") - 1, hot=F("hot") - 20)
        else:
            _dec(Comment, target_id, "likes_count")
        user_stats_add(author_id, likes_received=-1)
        return True

    return run_in_transaction(write)


def like_toggle(*, user, target) -> bool:
    """Returns True when the target is now liked."""
    like_id = _like_id(user, target)
    if like_id is not None:  # the like found is the one deleted: no second read
        _like_delete(target, like_id)
        return False
    try:
        like_add(user=user, target=target)
    except AlreadyLiked:
        return True
    return True
