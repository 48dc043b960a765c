"""Keyset ("load older") pagination on ObjectIds, shared by the ledger, royalty, history and social pages.

ObjectIds grow with time and ``_id`` is always indexed, so "newest first, older
than the cursor" reads one page however long the list is, where an offset would
read everything before it.
"""

from __future__ import annotations

from collections.abc import Callable

from bson import ObjectId
from django.db.models import QuerySet

from modelsnapper.ids import object_id_or_404

# How to read ``limit`` rows after the cursor (None on the first page), in page order.
Reader = Callable[[QuerySet, ObjectId | None, int], list]


def newest_before(queryset: QuerySet, cursor: ObjectId | None, limit: int) -> list:
    """The default reader: newest first, older than the cursor."""
    if cursor is not None:
        queryset = queryset.filter(pk__lt=cursor)
    return list(queryset.order_by("-pk")[:limit])


def keyset_page(
    queryset: QuerySet, *, before: str = "", size: int, read: Reader = newest_before
) -> tuple[list, str]:
    """Up to ``size`` rows older than ``before``, newest first, and the cursor of the next page.

    The cursor is "" on the last page; a malformed one is a 404. ``read`` changes how the
    rows after a valid cursor are fetched (a time-bounded window, oldest first), never how
    the cursor is read or the page is cut.
    """
    cursor = object_id_or_404(before, "Bad page cursor.") if before else None
    rows = read(queryset, cursor, size + 1)
    return rows[:size], str(rows[size - 1].pk) if len(rows) > size else ""
