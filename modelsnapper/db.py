"""Multi-document transactions that survive contention.

``django.db.transaction.atomic`` is a no-op on django-mongodb-backend; its own
``atomic`` starts a real MongoDB transaction. Under contention MongoDB aborts
one side with a WriteConflict (label ``TransientTransactionError``) and expects
the client to run the whole block again, so every write path that spans
documents goes through :func:`run_in_transaction`.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django_mongodb_backend.transaction import atomic
from pymongo.errors import PyMongoError

from modelsnapper.errors import exception_chain

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_LABELS = ("TransientTransactionError", "UnknownTransactionCommitResult")
DEFAULT_ATTEMPTS = 60
BASE_DELAY = 0.002
# Full-jitter backoff up to a quarter second: on a loaded server a transaction takes tens of
# milliseconds, and a cap below that kept sixteen writers of one hot document (a follow storm
# on one person) colliding until their 60 attempts ran out.
MAX_DELAY = 0.25


class TransactionRetriesExhausted(DatabaseError):
    """The block conflicted on every attempt; nothing was committed by us."""


def is_transient(exc: BaseException) -> bool:
    """True when MongoDB labels the error (or its cause) as safe to retry."""
    for link in exception_chain(exc):
        has_label = getattr(link, "has_error_label", None)
        if has_label and any(has_label(label) for label in RETRYABLE_LABELS):
            return True
    return False


def reset_transaction_state(using: str = DEFAULT_DB_ALIAS) -> None:
    """Forget a half-finished transaction on this thread's connection.

    django-mongodb-backend 5.2.4 lets a raw pymongo error escape ``atomic()``
    when the commit itself fails, leaving the session attached; the next
    ``atomic()`` on the thread would then silently run without a transaction.
    """
    connection = connections[using]
    session = getattr(connection, "session", None)
    if session is not None:
        try:
            if session.in_transaction:
                session.abort_transaction()
        except PyMongoError:
            pass
        with contextlib.suppress(PyMongoError):
            session.end_session()
        connection.session = None
    connection.in_atomic_block_mongo = False
    connection.nested_atomics = 0
    connection.run_on_commit = []


def run_in_transaction(
    func: Callable[[], T],
    *,
    using: str = DEFAULT_DB_ALIAS,
    attempts: int = DEFAULT_ATTEMPTS,
) -> T:
    """Run ``func`` inside one MongoDB transaction, retrying transient conflicts.

    Inside an outer transaction the function simply joins it: the outer block
    owns the retry. ``UnknownTransactionCommitResult`` is retried as well, so
    every insert the block makes must be protected by a unique key (ledger
    idempotency keys) for a retry after an unseen commit to be harmless.
    """
    connection = connections[using]
    if connection.in_atomic_block_mongo:
        return func()
    for attempt in range(1, attempts + 1):
        try:
            with atomic(using):
                return func()
        except (DatabaseError, PyMongoError) as exc:
            reset_transaction_state(using)
            if not is_transient(exc):
                raise
            if attempt == attempts:
                raise TransactionRetriesExhausted(
                    f"transaction conflicted {attempts} times in a row"
                ) from exc
            delay = min(MAX_DELAY, BASE_DELAY * (2 ** min(attempt, 7)))
            time.sleep(random.uniform(0, delay))
        except BaseException:
            reset_transaction_state(using)
            raise
    raise AssertionError("unreachable")  # pragma: no cover
