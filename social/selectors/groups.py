"""Groups: a group for a viewer, its posts, the list of groups, my memberships."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from social.models import Group, GroupMemberActivity, GroupMembership, Post
from social.selectors.feeds import newest_page
from social.selectors.paging import PAGE_SIZE, Page, attach_authors, keyset
from social.selectors.privacy import blocked_user_ids, is_authed


def group_for_viewer(viewer, slug: str) -> tuple[Group, GroupMembership | None]:
    group = Group.objects.filter(slug=slug, is_active=True).first()
    if group is None:
        raise Http404("No such group.")
    membership = None
    if is_authed(viewer):
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
    return newest_page(qs, cursor, viewer, key=f"group:{group.pk}", exclude_authors=blocked_user_ids(viewer))


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


# The orders of the groups page: key → (label, the field read descending, newest first on ties).
GROUP_SORTS = {
    "new": (_("Newest"), None),
    "size": (_("Largest"), "members_count"),
    "active": (_("Most active"), "last_activity_at"),
}
DEFAULT_GROUP_SORT = "new"
ACTIVE_MEMBER_DAYS = 30


def descending_by(field: str):
    """A keyset reader (``modelsnapper.paging``) for ``field`` descending, then newest first.

    The cursor stays the last row's ObjectId: its value of ``field`` is read back (one point
    read by ``_id``), and the page is at most two index ranges on ``(…, -field, -_id)``: the
    older rows tied with that value, then the rows below it.
    """

    def read(queryset, cursor, limit: int) -> list:
        ordered = queryset.order_by(f"-{field}", "-pk")
        if cursor is None:
            return list(ordered[:limit])
        value = queryset.model._default_manager.filter(pk=cursor).values_list(field, flat=True).first()
        if value is None:  # the cursor's row is gone: nothing sensible follows it
            return []
        rows = list(ordered.filter(**{field: value, "pk__lt": cursor})[:limit])
        if len(rows) < limit:
            rows += list(ordered.filter(**{f"{field}__lt": value})[: limit - len(rows)])
        return rows

    return read


def groups_list(
    viewer,
    cursor: str | None = None,
    *,
    category: str | None = None,
    sort: str = DEFAULT_GROUP_SORT,
    size: int = PAGE_SIZE,
) -> Page:
    """Groups anyone can find (not secret, not deactivated), of one category if given, newest
    first, largest first (members) or most recently active first (last post or comment)."""
    qs = Group.objects.filter(
        is_active=True, visibility__in=[Group.Visibility.PUBLIC, Group.Visibility.PRIVATE]
    )
    if category:
        qs = qs.filter(category=category)
    field = GROUP_SORTS.get(sort, GROUP_SORTS[DEFAULT_GROUP_SORT])[1]
    if field is None:
        return Page(*keyset(qs, cursor, size=size))
    return Page(*keyset(qs, cursor, size=size, read=descending_by(field)))


ACTIVE_MEMBERS_CACHE_SECONDS = 600


def _active_members_key(group_id) -> str:
    return f"social:group-active-members:{group_id}"


def group_active_members_count(group: Group) -> int:
    """Members who posted or commented in the group in the last 30 days: one index range over
    at most a row per member (``social.services.group_activity``), remembered for ten minutes.

    Every write that makes a member newly active, or ends a membership, drops the remembered
    count (``group_active_members_forget``), so it is exact at once; only someone passing the
    30-day mark is seen up to ten minutes late. The group page pays no round trip for it.
    """
    key = _active_members_key(group.pk)
    count = cache.get(key)
    if count is None:
        since = timezone.now() - timedelta(days=ACTIVE_MEMBER_DAYS)
        count = GroupMemberActivity.objects.filter(group=group, last_active_at__gte=since).count()
        cache.set(key, count, ACTIVE_MEMBERS_CACHE_SECONDS)
    return count


def group_active_members_forget(group_id) -> None:
    cache.delete(_active_members_key(group_id))


def my_groups(user) -> list[GroupMembership]:
    if not is_authed(user):
        return []
    return attach_authors(list(GroupMembership.objects.filter(user=user).order_by("-id")[:100]), "group")
