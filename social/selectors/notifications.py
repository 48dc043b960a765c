"""My notifications and the unread badge."""

from __future__ import annotations

from social.models import Notification
from social.selectors.paging import Page, attach_authors, keyset
from social.selectors.privacy import _authed


def notifications_page(user, cursor: str | None = None) -> Page:
    rows, next_cursor = keyset(Notification.objects.filter(recipient=user), cursor)
    return Page(attach_authors(rows, "actor"), next_cursor)


def unread_count(user) -> int:
    if not _authed(user):
        return 0
    return Notification.objects.filter(recipient=user, read=False).count()
