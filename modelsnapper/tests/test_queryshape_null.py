"""merge_and's two rewrites for indexes (issue 17 item 4): the same documents, a form an index serves.

``f=None`` is sent as ``{f: null}`` (not a top-level ``$or``, which SecantusDB never serves from
an index), and a ``__lt``/``__lte`` bound drops Django's not-null guard (``$exists``/``$ne``),
which SecantusDB cannot walk an index for. Each shape is checked on the real server: the rows
are the ones the unshaped query finds, including a document with the field missing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connections

from modelsnapper.queryshape import merge_and

NULL_OR = {"$or": [{"deleted_at": {"$exists": False}}, {"deleted_at": None}]}


def test_a_field_equal_to_none_is_sent_as_one_null_equality():
    assert merge_and(NULL_OR) == {"deleted_at": None}
    assert merge_and({"$and": [{"user_id": 1}, NULL_OR, {"delivered": True}]}) == {
        "user_id": 1,
        "deleted_at": None,
        "delivered": True,
    }


def test_other_ors_stay_as_they_are():
    two_fields = {"$or": [{"a": {"$exists": False}}, {"b": None}]}
    other_value = {"$or": [{"a": {"$exists": False}}, {"a": 0}]}
    three = {"$or": [{"a": {"$exists": False}}, {"a": None}, {"a": 1}]}
    for mql in (two_fields, other_value, three):
        assert merge_and(mql) == mql
        assert merge_and({"$and": [{"x": 1}, mql]}) == {"x": 1, "$or": mql["$or"]}


def test_a_range_drops_the_not_null_guard_only_when_a_scalar_bound_excludes_null():
    start, end = datetime(2026, 11, 1), datetime(2026, 12, 1)
    guarded = {
        "$and": [{"t": {"$gte": start}}, {"t": {"$lt": end}}, {"t": {"$exists": True}}, {"t": {"$ne": None}}]
    }
    assert merge_and(guarded) == {"t": {"$gte": start, "$lt": end}}
    # isnull=False on its own keeps its meaning; so does a list bound (an array field's comparison).
    not_null = {"$and": [{"t": {"$exists": True}}, {"t": {"$ne": None}}, {"u": 1}]}
    assert merge_and(not_null) == {"t": {"$exists": True, "$ne": None}, "u": 1}
    listed = {"$and": [{"t": {"$lt": [1]}}, {"t": {"$exists": True}}, {"t": {"$ne": None}}]}
    assert merge_and(listed) == {"t": {"$lt": [1], "$exists": True, "$ne": None}}


def test_the_rewritten_filters_find_the_same_documents_on_the_server(db):
    collection = connections["default"].database["queryshape_null_check"]
    collection.drop()
    documents = [
        {"_id": 1, "user_id": 1},  # deleted_at missing
        {"_id": 2, "user_id": 1, "deleted_at": None},
        {"_id": 3, "user_id": 1, "deleted_at": datetime(2026, 11, 15)},
        {"_id": 4, "user_id": 2, "deleted_at": None},
        {"_id": 5, "user_id": 1, "deleted_at": datetime(2026, 12, 15)},
    ]
    collection.insert_many(documents)
    collection.create_index([("user_id", 1), ("deleted_at", 1)], name="user_deleted")
    start, end = datetime(2026, 11, 1), datetime(2026, 12, 1)
    in_november = [{"deleted_at": {"$gte": start}}, {"deleted_at": {"$lt": end}}]
    not_null = [{"deleted_at": {"$exists": True}}, {"deleted_at": {"$ne": None}}]
    originals = [
        {"$and": [{"user_id": 1}, NULL_OR]},
        {"$and": [{"user_id": 1}, *in_november, *not_null]},
    ]
    try:
        for original in originals:
            shaped = merge_and(original)
            assert "$and" not in shaped and "$or" not in shaped
            found = sorted(d["_id"] for d in collection.find(shaped))
            assert found == sorted(d["_id"] for d in collection.find(original))
            assert found  # each filter finds something: [1, 2] and [3]
            plan = collection.find(shaped).explain()["queryPlanner"]["winningPlan"]
            assert "user_deleted" in str(plan)
    finally:
        collection.drop()
