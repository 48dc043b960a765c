"""Groups: a group for a viewer, its posts, the list of groups, my memberships."""

from __future__ import annotations

from django.http import Http404

from social.models import Group, GroupMembership, Post
from social.selectors.feeds import _id_page
from social.selectors.paging import Page, attach_authors, keyset
from social.selectors.privacy import _authed, blocked_user_ids


def group_for_viewer(viewer, slug: str) -> tuple[Group, GroupMembership | None]:
    group = Group.objects.filter(slug=slug, is_active=True).first()
    if group is None:
        raise Http404("No such group.")
    membership = None
    if _authed(viewer):
        membership = GroupMembership.objects.filter(group=group, user=viewer).first()
    if group.visibility == Group.Visibility.SECRET and membership is None:
        raise Http404("No such group.")
    return group, membership


def _members_only(group: Group, membership) -> bool:
    """Only active members see inside a group that is not public."""
    return group.visibility != Group.Visibility.PUBLIC and not (membership and membership.is_active)


def group_posts(viewer, group: Group, membership, cursor: str | None = None) -> Page:
    if _members_only(group, membership):
        return Page([], None, {"members_only": True})
    qs = Post.objects.filter(group=group, live=True)
    return _id_page(qs, cursor, viewer, key=f"group:{group.pk}", exclude_authors=blocked_user_ids(viewer))


def group_join_requests(group: Group, membership) -> list[GroupMembership]:
    """The requests waiting for approval (first 100, with their people), for the group's managers only."""
    if not (membership and membership.can_manage):
        return []
    pending = GroupMembership.objects.filter(group=group, status=GroupMembership.Status.PENDING)
    return attach_authors(list(pending[:100]), "user")


def group_members(group: Group, membership) -> list[GroupMembership]:
    """Active members, oldest first (first 200, with their people); 404 for who may not look inside."""
    if _members_only(group, membership):
        raise Http404("No such group.")
    active = GroupMembership.objects.filter(group=group, status=GroupMembership.Status.ACTIVE)
    return attach_authors(list(active.order_by("id")[:200]), "user")


def groups_list(viewer, cursor: str | None = None, *, category: str | None = None) -> Page:
    """Groups anyone can find (not secret, not deactivated), newest first, of one category if given."""
    qs = Group.objects.filter(
        is_active=True, visibility__in=[Group.Visibility.PUBLIC, Group.Visibility.PRIVATE]
    )
    if category:
        qs = qs.filter(category=category)
    return Page(*keyset(qs, cursor))


def my_groups(user) -> list[GroupMembership]:
    if not _authed(user):
        return []
    return attach_authors(list(GroupMembership.objects.filter(user=user).order_by("-id")[:100]), "group")
