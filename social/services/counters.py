"""Atomic counter moves shared by the social services (see the package docstring for the rule).

Each helper is one server-side write: a raw ``$inc`` on the user's stats, a ``delete_one``
whose own count says who removed the document, an ``F()`` decrement, an upsert per tag.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import F
from django.utils import timezone
from pymongo.errors import DuplicateKeyError, OperationFailure

from social.models import Tag, trend_weight
from social.search import index_terms

User = get_user_model()


def _user_collection():
    return connections["default"].database[User._meta.db_table]


def _session():
    """The session of the transaction in progress (None outside one), so a raw write joins it."""
    return connections["default"].session


def user_stats_add(user_id, **deltas: int) -> None:
    """Atomically add to ``User.stats`` counters in one ``$inc``.

    django-mongodb-backend 5.2.4 cannot ``update()`` an EmbeddedModelField's subfield
    with ``F()`` (FieldDoesNotExist), so this is a raw ``$inc`` on the user document.
    Decrements are not clamped at zero on purpose: an unfollow may apply its −1 before
    the racing follow's +1 lands; clamping would then lose the −1 for good, while the
    unclamped sum is exact once both have run.
    """
    changes = {f"stats.{name}": delta for name, delta in deltas.items() if delta}
    if not changes:
        return
    session = _session()
    try:
        _user_collection().update_one({"_id": user_id}, {"$inc": changes}, session=session)
    except DuplicateKeyError as exc:
        if session is None:
            raise
        # An $inc of counters cannot duplicate an e-mail or a username: the embedded server
        # reports another transaction's pending version of this user as a duplicate key
        # (seen in a follow storm under load) where a mongod reports a write conflict.
        raise _write_conflict("write conflict on the user's counters") from exc


def _write_conflict(message: str) -> OperationFailure:
    """A duplicate key met inside a transaction, said as the write conflict mongod reports, so
    ``run_in_transaction`` runs the whole transaction again (the duplicate key aborted it)."""
    return OperationFailure(message, code=112, details={"errorLabels": ["TransientTransactionError"]})


def author_posts_add(user_id, *, category: str, delta: int) -> None:
    """A live post of ``category`` came (+1) or went (−1): the author's post count and that
    category's count (``stats.posts_by_category``, the profile's tabs) move in one ``$inc``, so
    the two can never disagree; ``counters_recount`` repairs both from the live posts."""
    user_stats_add(user_id, **{"posts": delta, f"posts_by_category.{category}": delta})


def _delete_exactly_one(model, **filters) -> bool:
    """Delete one matching document; True only for the request whose delete removed it.

    Django's ``QuerySet.delete()`` may collect the rows first and report how many it
    *collected*, so two racing unlikes could both see "1 deleted". The raw
    ``delete_one`` result is the server's own count. (Used for models nothing points to.)
    """
    pk = model.objects.filter(**filters).values_list("pk", flat=True).first()
    if pk is None:
        return False
    return _delete_found(model, pk)


def _delete_found(model, pk) -> bool:
    """Delete the document ``pk`` a caller has just found; True only for the request whose
    delete removed it (the server's own count, as in ``_delete_exactly_one``)."""
    result = connections["default"].database[model._meta.db_table].delete_one({"_id": pk}, session=_session())
    return result.deleted_count == 1


def _dec(model, pk, field: str, amount: int = 1, **extra_updates) -> int:
    """Decrement a counter (unclamped, for the reason given in ``user_stats_add``)."""
    return model.objects.filter(pk=pk).update(**{field: F(field) - amount}, **extra_updates)


def tag_usage_add(names, delta: int = 1, *, at=None) -> None:
    """Usage counters and trending score, one atomic upsert per tag.

    Inside a transaction (a post's write and the counts it moves) the writes join it."""
    if not names:
        return
    at = at or timezone.now()
    collection = connections["default"].database[Tag._meta.db_table]
    session = _session()
    weight = trend_weight(at)
    for name in names:
        if delta > 0:
            update = {
                "$inc": {"usage_count": delta, "trending_score": weight * delta},
                "$set": {"last_used": at},
                "$setOnInsert": {
                    "category": "general",
                    "is_featured": False,
                    "created_at": at,
                    # Raw upsert, no save hook: a new tag is found by its name's words (social.search).
                    "search_terms": index_terms(name),
                },
            }
            for _ in range(2):  # two first uses racing: the loser of the upsert retries as an update
                try:
                    collection.update_one({"name": name}, update, upsert=True, session=session)
                    break
                except DuplicateKeyError as exc:
                    if session is not None:  # the transaction is aborted: it runs again, whole
                        raise _write_conflict(f"two first uses of the tag {name!r}") from exc
        else:
            collection.update_one({"name": name}, {"$inc": {"usage_count": delta}}, session=session)
