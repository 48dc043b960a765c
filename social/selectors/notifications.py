"""My notifications and the unread badge."""

from __future__ import annotations

from social.models import Notification
from social.selectors.paging import Page, attach_authors, keyset
from social.selectors.privacy import is_authed


def notifications_page(user, cursor: str | None = None) -> Page:
    rows, next_cursor = keyset(Notification.objects.filter(recipient=user), cursor)
    return Page(attach_authors(rows, "actor"), next_cursor)


def unread_count(user) -> int:
    if not is_authed(user):
        return 0
    return Notification.objects.filter(recipient=user, read=False).count()


def notification_state(user) -> tuple[str, int]:
    """(my latest notification's id, my unread count): what the bell and the list show, in
    two indexed reads. A new notice changes the first, reading one the second, so together
    they are the ETag of the live bell and list."""
    latest = Notification.objects.filter(recipient=user).order_by("-id").values_list("pk", flat=True).first()
    return str(latest or ""), unread_count(user)
