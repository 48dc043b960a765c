"""A group's activity: when it last had a post or comment, and which members were active lately.

Written where group posts and comments are written (``post_create``, ``comment_create``);
read by the groups page (sorted by ``Group.last_activity_at``) and the group page ("N active
members": ``selectors.group_active_members_count``).

Why one row per member (``GroupMemberActivity``) rather than counting distinct authors of the
group's posts and comments of the last 30 days: comments carry no group, so that count would
read every comment of every post of the group, and a busy group's month of posts grows without
bound. Here the count is an index range over at most one row per member, exact at once (no
periodic task to wait for), for the price of one small conditional update per post or comment
in a group (an insert the first time).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError
from django.utils import timezone

from social.models import Group, GroupMemberActivity, GroupMembership
from social.selectors.groups import ACTIVE_MEMBER_DAYS, group_active_members_forget


def group_activity_record(*, group_id, user_id, member: bool = False, at: datetime | None = None) -> None:
    """Someone posted or commented in the group at ``at`` (now).

    The group's ``last_activity_at`` only moves forward (a conditional update, so a slower
    writer never sets it back). The person's activity row is kept only while they are an
    active member (``member=True`` when the caller has just checked that); ``_membership_end``
    deletes it when they leave.
    """
    at = at or timezone.now()
    Group.objects.filter(pk=group_id, last_activity_at__lt=at).update(last_activity_at=at)
    if (
        not member
        and not GroupMembership.objects.filter(
            group_id=group_id, user_id=user_id, status=GroupMembership.Status.ACTIVE
        ).exists()
    ):
        return
    mine = GroupMemberActivity.objects.filter(group_id=group_id, user_id=user_id)
    since = at - timedelta(days=ACTIVE_MEMBER_DAYS)
    if mine.filter(last_active_at__gte=since, last_active_at__lt=at).update(last_active_at=at):
        return  # already counted among the active members: the count is unchanged
    # Newly active (no row yet, or one older than the window). An upsert on the unique
    # (group, user) index: update, else create, and if another request created it meanwhile,
    # update that one.
    if not mine.filter(last_active_at__lt=at).update(last_active_at=at):
        try:
            GroupMemberActivity.objects.create(group_id=group_id, user_id=user_id, last_active_at=at)
        except IntegrityError:
            mine.filter(last_active_at__lt=at).update(last_active_at=at)
    group_active_members_forget(group_id)


def group_activity_forget(*, group_id, user_id) -> None:
    """A membership ended: the person no longer counts among the group's active members."""
    if GroupMemberActivity.objects.filter(group_id=group_id, user_id=user_id).delete()[0]:
        group_active_members_forget(group_id)
