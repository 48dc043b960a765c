"""Groups: a group for a viewer, its posts, the list of groups, my memberships."""

from __future__ import annotations

from django.http import Http404

from modelsnapper.ids import parse_object_id
from social.models import (
    Group,
    GroupMembership,
    Post,
)
from social.selectors.feeds import _id_page
from social.selectors.paging import PAGE_SIZE, Page, attach_authors
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


def group_posts(viewer, group: Group, membership, cursor: str | None = None) -> Page:
    if group.visibility != Group.Visibility.PUBLIC and not (membership and membership.is_active):
        return Page([], None, {"members_only": True})
    qs = Post.objects.filter(group=group, live=True)
    return _id_page(qs, cursor, viewer, key=f"group:{group.pk}", exclude_authors=blocked_user_ids(viewer))


def groups_list(viewer, cursor: str | None = None) -> Page:
    qs = Group.objects.filter(
        is_active=True, visibility__in=[Group.Visibility.PUBLIC, Group.Visibility.PRIVATE]
    )
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__lt=oid)
    rows = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    next_cursor = str(rows[PAGE_SIZE - 1].pk) if len(rows) > PAGE_SIZE else None
    return Page(rows[:PAGE_SIZE], next_cursor)


def my_groups(user) -> list[GroupMembership]:
    if not _authed(user):
        return []
    return attach_authors(list(GroupMembership.objects.filter(user=user).order_by("-id")[:100]), "group")
