"""Query shapes that keep social pages fast as collections grow (see STACK.md "Speed traps").

Two adjustments, both result-preserving on any MongoDB:

1. ``merge_and``: django-mongodb-backend emits ``{"$and": [{a: …}, {b: …}]}`` for every
   multi-condition ``filter()``; SecantusDB (the dev/test server) ignores indexes for
   predicates inside a top-level ``$and``. When the parts use different keys (or the same
   key with different operators) they are merged into one filter document, which means
   exactly the same thing. Used through ``ShapedManager`` on the social models only; the
   ``SOCIAL_MERGE_AND`` setting switches it off (tests prove both give the same rows).

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
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models.sql import Query
from django.utils import timezone

WINDOW_TARGET = 60  # about three pages
WINDOW_TTL = 600
PROBE_HOURS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


def merge_and(mql):
    """``{"$and": [{a: 1}, {b: 2}]}`` → ``{a: 1, b: 2}`` when nothing would be overwritten."""
    if not isinstance(mql, dict) or set(mql) != {"$and"} or not isinstance(mql["$and"], list):
        return mql
    merged: dict = {}
    for part in mql["$and"]:
        part = merge_and(part)
        if not isinstance(part, dict):
            return mql
        for key, value in part.items():
            if key not in merged:
                merged[key] = value
                continue
            old = merged[key]
            same_key_ops = (
                not key.startswith("$")
                and isinstance(old, dict)
                and isinstance(value, dict)
                and old
                and value
                and all(k.startswith("$") for k in (*old, *value))
                and not set(old) & set(value)
            )
            if not same_key_ops:
                return mql
            merged[key] = {**old, **value}
    return merged


def _enabled() -> bool:
    return getattr(settings, "SOCIAL_MERGE_AND", True)


class ShapedQuery(Query):
    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        if _enabled() and compiler.connection.vendor == "mongodb" and hasattr(compiler, "build_query"):
            original = compiler.build_query

            def build_query(*args, **kwargs):
                query = original(*args, **kwargs)
                if getattr(query, "match_mql", None):
                    query.match_mql = merge_and(query.match_mql)
                return query

            compiler.build_query = build_query
        return compiler


class ShapedQuerySet(models.QuerySet):
    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model=model, query=query or ShapedQuery(model), using=using, hints=hints)


class ShapedManager(models.Manager.from_queryset(ShapedQuerySet)):
    pass


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
