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


def newest_first(queryset, *, key: str, cursor: ObjectId | None, size: int, now=None) -> list:
    """``size + 1`` rows of ``queryset``, newest first, older than ``cursor``, reading a bounded window.

    ``key`` names the feed *and its filter* (it caches the window for that exact queryset).
    """
    span = recent_window(key, queryset, now=now)
    if cursor is not None:
        queryset = queryset.filter(id__lt=cursor)
    ordered = queryset.order_by("-id")
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
