"""Query shapes that keep social pages fast as collections grow (see STACK.md "Speed traps").

Three adjustments, all result-preserving on any MongoDB:

1. ``merge_and`` (``modelsnapper.queryshape``, shared with the generation models): one
   filter document instead of a top-level ``$and``, through ``ShapedManager``.

2. ``recent_window``: SecantusDB reads every matching document to sort, even on an index,
   and does not push ``$limit`` down. A "newest first" page therefore also bounds ``_id``
   from below (ObjectIds are time-ordered): the span of time that holds about
   ``WINDOW_TARGET`` matching posts, probed with a few small bounded queries and cached
   for ``WINDOW_TTL`` seconds per feed. A page that finds fewer rows than it needs inside
   the window falls back to the unbounded query, so results never change.

3. ``first_page_start``: a first page reads from the ``WINDOW_TARGET``-th newest row on
   (cached like the window), so it reads about as many rows at every size, however densely
   the feed is written.
"""

from __future__ import annotations

from datetime import timedelta

from bson import ObjectId
from django.core.cache import cache
from django.db.models import Lookup
from django.utils import timezone
from django_mongodb_backend.fields import ArrayField
from django_mongodb_backend.query_utils import process_lhs

from modelsnapper.queryshape import ShapedManager, ShapedQuerySet, merge_and

__all__ = [
    "Holds",
    "ShapedManager",
    "ShapedQuerySet",
    "first_page_start",
    "merge_and",
    "newest_first",
    "recent_window",
    "windowed",
]

WINDOW_TARGET = 60  # about three pages
WINDOW_TTL = 600
PROBE_HOURS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


def recent_window(key: str, queryset, *, now=None) -> timedelta | None:
    """How far back ``WINDOW_TARGET`` rows of ``queryset`` reach (None: fewer exist, or too sparse)."""
    cache_key = f"social:window:{key}"
    cached = cache.get(cache_key)
    if cached is not None:
        return None if cached == 0 else timedelta(hours=cached)
    now = now or timezone.now()
    hours_found = 0
    for hours in PROBE_HOURS:
        lower = ObjectId.from_datetime(now - timedelta(hours=hours))
        found = len(queryset.filter(id__gte=lower).values_list("id", flat=True)[:WINDOW_TARGET])
        if found >= WINDOW_TARGET:
            hours_found = hours
            break
    cache.set(cache_key, hours_found, WINDOW_TTL)
    return timedelta(hours=hours_found) if hours_found else None


def first_page_start(key: str, queryset, *, now=None) -> ObjectId | None:
    """The ``_id`` of the ``WINDOW_TARGET``-th newest row of ``queryset`` (cached like the window
    it is found in), or None when the window holds fewer.

    The window is a power-of-two span of hours holding at least ``WINDOW_TARGET`` rows, so how
    many more it held moved with how densely the feed is written (86 to 107 posts read for the
    same search page, issue 17). From this ``_id`` on, a first page reads that many (plus those
    written since) at every size."""
    cache_key = f"social:window-start:{key}"
    start = cache.get(cache_key)
    if start is None:
        span = recent_window(key, queryset, now=now)
        found = []
        if span is not None:
            lower = ObjectId.from_datetime((now or timezone.now()) - span)
            recent = queryset.filter(id__gte=lower).order_by("-id").values_list("id", flat=True)
            found = list(recent[WINDOW_TARGET - 1 : WINDOW_TARGET])
        start = found[0] if found else ""
        cache.set(cache_key, start, WINDOW_TTL)
    return start or None


def newest_first(queryset, *, key: str, cursor: ObjectId | None, size: int, now=None) -> list:
    """``size + 1`` rows of ``queryset``, newest first, older than ``cursor``, reading a bounded window.

    ``key`` names the feed *and its filter* (it caches the window for that exact queryset).
    The first page reads from ``first_page_start`` on; later pages read the window before the
    cursor. Either falls back to the unbounded query when it holds too few rows, so the rows
    are the same.
    """
    ordered = queryset.order_by("-id")
    if cursor is None and (start := first_page_start(key, queryset, now=now)) is not None:
        rows = list(ordered.filter(id__gte=start)[: size + 1])
        if len(rows) > size:  # every newer row is in there too: these are the newest
            return rows
    span = recent_window(key, queryset, now=now)
    if cursor is not None:
        ordered = ordered.filter(id__lt=cursor)
    if span is not None:
        top = cursor.generation_time if cursor is not None else (now or timezone.now())
        rows = list(ordered.filter(id__gte=ObjectId.from_datetime(top - span))[: size + 1])
        if len(rows) > size:
            return rows
    return list(ordered[: size + 1])


def windowed(key: str):
    """A keyset reader (``modelsnapper.paging``) through ``newest_first``'s window named ``key``."""
    return lambda queryset, cursor, limit: newest_first(queryset, key=key, cursor=cursor, size=limit - 1)


@ArrayField.register_lookup
class Holds(Lookup):
    """``field__holds="x"`` → ``{field: "x"}``: the array holds ``x``, on its multikey index."""

    lookup_name = "holds"
    prepare_rhs = False

    def as_mql_path(self, compiler, connection):
        return {process_lhs(self, compiler, connection): self.rhs}

    def as_mql_expr(self, compiler, connection):
        lhs = process_lhs(self, compiler, connection, as_expr=True)
        return {"$in": [self.rhs, {"$ifNull": [lhs, []]}]}
