"""My notifications and the unread badge."""

from __future__ import annotations

from modelsnapper.ids import parse_object_id
from social.models import (
    Notification,
)
from social.selectors.paging import PAGE_SIZE, Page, attach_authors
from social.selectors.privacy import _authed


def notifications_page(user, cursor: str | None = None) -> Page:
    qs = Notification.objects.filter(recipient=user)
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__lt=oid)
    rows = attach_authors(list(qs.order_by("-id")[: PAGE_SIZE + 1]), "actor")
    next_cursor = str(rows[PAGE_SIZE - 1].pk) if len(rows) > PAGE_SIZE else None
    return Page(rows[:PAGE_SIZE], next_cursor)


def unread_count(user) -> int:
    if not _authed(user):
        return 0
    return Notification.objects.filter(recipient=user, read=False).count()
