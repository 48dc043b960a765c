"""Pages of social lists: the page object and loading a page's people in one query."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelsnapper.paging import Reader, keyset_page, newest_before

PAGE_SIZE = 20


@dataclass
class Page:
    items: list
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def keyset(queryset, cursor: str | None, *, size: int = PAGE_SIZE, read: Reader = newest_before):
    """``size`` rows after ``cursor`` through the one pager (a malformed cursor is a 404)
    and the next page's cursor, None on the last page."""
    rows, next_cursor = keyset_page(queryset, before=cursor or "", size=size, read=read)
    return rows, next_cursor or None


def oldest_after(queryset, cursor, limit: int) -> list:
    """A reader for lists that read oldest first (comment threads): newer than the cursor."""
    if cursor is not None:
        queryset = queryset.filter(pk__gt=cursor)
    return list(queryset.order_by("pk")[:limit])


def attach_authors(rows: list, field: str = "author") -> list:
    """Load the people of a page in one ``_id $in`` query.

    ``prefetch_related`` would do the same in one query too, but this backend phrases it as
    ``$expr: {$in: …}``, which no index serves: it reads the whole users collection.
    """
    ids = {getattr(r, f"{field}_id") for r in rows if field not in r._state.fields_cache}
    ids.discard(None)
    if ids:
        related = rows[0]._meta.get_field(field).related_model
        people = related._default_manager.in_bulk(list(ids))
        for row in rows:
            person = people.get(getattr(row, f"{field}_id"))
            if person is not None:
                setattr(row, field, person)
    return rows
