"""Hiding a deleted account's content, each step through the service that owns it."""

from __future__ import annotations

import contextlib

from django.db.models import F
from django.utils import timezone

from modelsnapper.db import run_in_transaction
from social.models import Comment, Follow, Group, GroupMembership, Like, Post, Story
from social.services.comments import comment_delete
from social.services.errors import SocialError
from social.services.follows import follow_delete
from social.services.groups import _membership_end
from social.services.likes import like_remove
from social.services.posts import post_delete


def user_content_hide(*, user) -> None:
    """Hide everything ``user`` shows other people, for a deleted account; the documents stay.

    Each step goes through the service that owns it, so every counter moves exactly as
    if the person had undone it themselves: posts and comments are soft-deleted (their
    post count, tag usage, the group's post count, comments_count on other people's
    posts), follows end both ways (follower/following counts), group memberships end
    (member counts), likes are taken back (likes lists, likes_count, likes_received)
    and stories expire now. Safe to run again: each step only touches what is still
    shown.
    """
    for post in Post.objects.filter(author=user, deleted_at=None):
        post_delete(post=post, by=user)
    for comment in Comment.objects.filter(author=user, deleted_at=None):
        comment_delete(comment=comment, by=user)
    for like in Like.objects.filter(user=user):
        model = Post if like.target_type == Like.Target.POST else Comment
        target = model.objects.filter(pk=like.target_id).first()
        if target is not None:
            like_remove(user=user, target=target)
    for follow in Follow.objects.filter(follower=user):
        follow_delete(follower=user, following=follow.following)
    for follow in Follow.objects.filter(following=user):
        follow_delete(follower=follow.follower, following=user)
    for membership in GroupMembership.objects.filter(user=user):
        _membership_end_for_deleted_account(membership)
    now = timezone.now()
    Story.objects.filter(author=user, expires_at__gt=now).update(expires_at=now)


def _membership_end_for_deleted_account(membership: GroupMembership) -> None:
    """End the membership as leaving does; a group keeps at least one admin.

    The last admin's seat goes first to the longest-standing other member; a group with
    nobody else in it is closed (hidden like its only member), its membership kept.
    """
    refusal = "A group keeps at least one admin."
    is_last_admin = (
        membership.is_active
        and membership.role == GroupMembership.Role.ADMIN
        and Group.objects.filter(pk=membership.group_id, admins_count__lte=1).exists()
    )
    if is_last_admin and not _admin_successor_appoint(membership):
        Group.objects.filter(pk=membership.group_id).update(is_active=False)
        return
    with contextlib.suppress(SocialError):  # a second admin left at the same moment: the group keeps us
        _membership_end(membership, refusal=refusal)


def _admin_successor_appoint(leaving: GroupMembership) -> bool:
    """Make the longest-standing other active member admin (False when there is none)."""
    others = GroupMembership.objects.filter(
        group_id=leaving.group_id, status=GroupMembership.Status.ACTIVE
    ).exclude(pk=leaving.pk)
    successor = others.order_by("id").first()
    if successor is None:
        return False

    def appoint() -> None:
        # Conditional on the role read above, like group_set_role; the seat is counted in the same transaction.
        if (
            GroupMembership.objects.filter(
                pk=successor.pk, role=successor.role, status=GroupMembership.Status.ACTIVE
            ).update(role=GroupMembership.Role.ADMIN)
            and successor.role != GroupMembership.Role.ADMIN
        ):
            Group.objects.filter(pk=leaving.group_id).update(admins_count=F("admins_count") + 1)

    run_in_transaction(appoint)
    return True
