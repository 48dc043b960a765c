"""Follows and blocks (a block ends follows both ways).

A follow (or unfollow) and both people's counts are one transaction, so a database failure
between them leaves neither (as for likes); the cached follow list, coins and the notification
follow after it commits."""

from __future__ import annotations

from django.db import IntegrityError
from django.urls import reverse
from django.utils.translation import gettext as _

from modelsnapper.db import run_in_transaction
from modelsnapper.sentences import Sentence
from social import selectors
from social.models import Block, Follow, Notification
from social.notification_text import FOLLOWED
from social.services.achievements import coins_after_follow
from social.services.counters import _delete_found, user_stats_add
from social.services.errors import SocialError
from social.services.notifications import notification_create


class AlreadyFollowing(SocialError):
    """The follow exists already (a double click): a toggle knows it by its class, since the
    message is in the reader's language."""


def follow_create(*, follower, following) -> Follow:
    if follower.pk == following.pk:
        raise SocialError(_("You can't follow yourself."))
    if following.deleted_at is not None or not following.is_active:
        raise SocialError(_("This account is not available."))
    if selectors.is_blocked_between(follower, following):
        raise SocialError(_("You can't follow this person."))

    def write() -> Follow:
        follow = Follow.objects.create(follower=follower, following=following)
        user_stats_add(follower.pk, following=1)
        user_stats_add(following.pk, followers=1)
        return follow

    try:
        follow = run_in_transaction(write)
    except IntegrityError:
        raise AlreadyFollowing(
            _("You already follow %(username)s.") % {"username": following.username}
        ) from None
    selectors.following_ids_forget(follower.pk)
    coins_after_follow(following=following)
    notification_create(
        recipient=following,
        kind=Notification.Kind.FOLLOW,
        actor=follower,
        target_type="user",
        target_id=follower.pk,
        text=Sentence(FOLLOWED, {"name": follower.username}),
        url=reverse("social:profile_posts", kwargs={"username": follower.username}),
    )
    return follow


def follow_delete(*, follower, following) -> bool:
    # Found before the transaction: no follow, no transaction to commit (a follow toggle's
    # first step). The delete's own count decides which of two racing unfollows moves the counts.
    follow_id = (
        Follow.objects.filter(follower=follower, following=following).values_list("pk", flat=True).first()
    )
    if follow_id is None:
        return False

    def write() -> bool:
        if not _delete_found(Follow, follow_id):
            return False
        user_stats_add(follower.pk, following=-1)
        user_stats_add(following.pk, followers=-1)
        return True

    if not run_in_transaction(write):
        return False
    selectors.following_ids_forget(follower.pk)
    return True


def follow_set_notifications(*, follower, following, enabled: bool) -> bool:
    """Switch whether ``following``'s new posts notify ``follower``; False when there is no follow."""
    changed = Follow.objects.filter(follower=follower, following=following).update(
        notifications_enabled=enabled
    )
    selectors.following_ids_forget(follower.pk)  # the cached follows carry the switch
    return changed == 1


def follow_toggle(*, follower, following) -> bool:
    """Returns True when ``follower`` now follows ``following``."""
    if follow_delete(follower=follower, following=following):
        return False
    try:
        follow_create(follower=follower, following=following)
    except AlreadyFollowing:
        return True
    return True


def block_create(*, blocker, blocked) -> None:
    """Block: they can no longer see, follow or comment on me; follows both ways end."""
    if blocker.pk == blocked.pk:
        raise SocialError(_("You can't block yourself."))
    try:
        Block.objects.create(blocker=blocker, blocked=blocked)
    except IntegrityError:
        return
    selectors.blocks_forget(blocker.pk, blocked.pk)  # pages read the cached block sets
    follow_delete(follower=blocker, following=blocked)
    follow_delete(follower=blocked, following=blocker)


def block_delete(*, blocker, blocked) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    selectors.blocks_forget(blocker.pk, blocked.pk)
    return bool(deleted)
