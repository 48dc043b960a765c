"""One filter document instead of a top-level ``$and`` (see STACK.md "Speed traps").

django-mongodb-backend emits ``{"$and": [{a: …}, {b: …}]}`` for every multi-condition
``filter()``; SecantusDB (the dev/test server) ignores indexes for predicates inside a
top-level ``$and``, so a two-key lookup such as a consent request by (business, model)
read every document (335 ms at 20,000 requests, against 1 ms with one key). When the
parts use different keys (or the same key with different operators) they are merged
into one filter document, which means exactly the same thing on any MongoDB.

Models opt in with ``objects = ShapedManager()`` (or a queryset subclassing
``ShapedQuerySet``). The ``QUERY_MERGE_AND`` setting switches it off; tests prove both
give the same rows.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import models
from django.db.models.sql import Query


def _null_equality(mql):
    """Django's ``f=None`` (``{$or: [{f: {$exists: false}}, {f: null}]}``) → ``{f: null}``.

    The same documents on any MongoDB (``{f: null}`` matches a missing ``f`` too), but a
    top-level ``$or`` keeps SecantusDB off every index, and ``{f: null}`` is an equality an
    index holding ``f`` serves (history's jobs and images, a post's top-level comments).
    """
    if not isinstance(mql, dict) or set(mql) != {"$or"} or not isinstance(mql["$or"], list):
        return mql
    parts = mql["$or"]
    if len(parts) != 2 or not all(isinstance(p, dict) and len(p) == 1 for p in parts):
        return mql
    (missing, missing_op), (null, null_value) = (next(iter(p.items())) for p in parts)
    if (
        missing == null
        and not missing.startswith("$")
        and missing_op == {"$exists": False}
        and null_value is None
    ):
        return {null: None}
    return mql


def _bounded(value):
    """Drop the not-null guard Django adds to ``__lt``/``__lte`` when a bound already excludes null.

    ``{f: {$lt: x, $exists: true, $ne: null}}`` with a scalar ``x`` is ``{f: {$lt: x}}`` on a
    scalar field (MongoDB compares a bound only with values of its own type, never null or
    missing); the operators left are ones SecantusDB walks an index for (my usage this month).
    """
    if (
        not isinstance(value, dict)
        or value.get("$exists") is not True
        or "$ne" not in value
        or value["$ne"] is not None
    ):
        return value
    bounds = [value[op] for op in ("$gt", "$gte", "$lt", "$lte") if op in value]
    if not bounds or any(b is None or isinstance(b, (list, tuple, dict)) for b in bounds):
        return value
    return {op: bound for op, bound in value.items() if op not in ("$exists", "$ne")}


def merge_and(mql):
    """``{"$and": [{a: 1}, {b: 2}]}`` → ``{a: 1, b: 2}`` when nothing would be overwritten."""
    mql = _null_equality(mql)
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
    return {key: _bounded(value) for key, value in merged.items()}


def _without_copies(fields: dict) -> dict:
    """The backend's ``$addFields`` before a ``$sort`` without ``{f: "$f"}``: a field copied onto
    itself changes no document on any MongoDB, and SecantusDB rewrites every document it reads
    for it (``test_queryshape_sort``). An empty result drops the stage."""
    return {key: value for key, value in fields.items() if value != f"${key}"}


def _enabled() -> bool:
    return getattr(settings, "QUERY_MERGE_AND", True)


class _Shaping:
    """Mixed into a Query class: its compiler merges the filter document it builds."""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        if _enabled() and compiler.connection.vendor == "mongodb" and hasattr(compiler, "build_query"):
            original = compiler.build_query

            def build_query(*args, **kwargs):
                query = original(*args, **kwargs)
                if getattr(query, "match_mql", None):
                    query.match_mql = merge_and(query.match_mql)
                if getattr(query, "extra_fields", None):
                    query.extra_fields = _without_copies(query.extra_fields)
                return query

            compiler.build_query = build_query
        return compiler

    def chain(self, klass=None):
        # update() and delete() switch to UpdateQuery/DeleteQuery; keep the shaping on those too,
        # or every conditional update (filter(pk=…, status=…).update(…)) would scan again.
        if klass is not None and not issubclass(klass, _Shaping):
            klass = _shaped(klass)
        return super().chain(klass)


@functools.cache
def _shaped(query_class: type[Query]) -> type[Query]:
    return type(f"Shaped{query_class.__name__}", (_Shaping, query_class), {})


class ShapedQuery(_Shaping, Query):
    pass


def first_match(queryset):
    """The match of a lookup that needs no order (a unique one), or None, without ``first()``'s sort.

    ``first()`` adds ``ORDER BY _id``, and SecantusDB reads every matching document to sort.
    """
    for obj in queryset.order_by()[:1]:
        return obj
    return None


class ShapedQuerySet(models.QuerySet):
    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model=model, query=query or ShapedQuery(model), using=using, hints=hints)

    def one(self):
        return first_match(self)


class ShapedManager(models.Manager.from_queryset(ShapedQuerySet)):
    pass
