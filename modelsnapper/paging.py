"""Keyset ("load older") pagination on ObjectIds, shared by the ledger, royalty and history pages.

ObjectIds grow with time and ``_id`` is always indexed, so "newest first, older
than the cursor" reads one page however long the list is, where an offset would
read everything before it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from modelsnapper.ids import object_id_or_404


def keyset_page(queryset: QuerySet, *, before: str = "", size: int) -> tuple[list, str]:
    """Up to ``size`` rows older than ``before``, newest first, and the cursor of the next page.

    The cursor is "" on the last page; a malformed one is a 404.
    """
    if before:
        queryset = queryset.filter(pk__lt=object_id_or_404(before, "Bad page cursor."))
    rows = list(queryset.order_by("-pk")[: size + 1])
    return rows[:size], str(rows[size - 1].pk) if len(rows) > size else ""
