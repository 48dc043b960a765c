"""Query shapes that keep social pages fast as collections grow (see STACK.md "Speed traps").

Two adjustments, both result-preserving on any MongoDB:

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
from django.utils import timezone

from modelsnapper.queryshape import ShapedManager, ShapedQuerySet, merge_and

__all__ = ["ShapedManager", "ShapedQuerySet", "merge_and", "newest_first", "recent_window"]

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
