"""Real database faults for tests: SecantusDB's ``failCommand`` fail point.

The test server starts with test commands enabled, so a test can make the
server itself answer the next matching command with an error, exactly as a
real mongod does under ``configureFailPoint`` — nothing in our code is patched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections
from pymongo.errors import PyMongoError

# MaxTimeMSExpired: a transient server-side failure the driver does not retry by itself.
MAX_TIME_EXPIRED = 50
# BadValue: not transient, so a transaction that meets it gives up instead of retrying.
BAD_VALUE = 2
# What such a failure reaches the caller as (the backend wraps some, pymongo raises others).
FAILED = (DatabaseError, PyMongoError)


def _admin():
    connections["default"].ensure_connection()
    return connections["default"].connection.admin


@contextmanager
def failing(
    command: str,
    *,
    skip: int = 0,
    times: int = 1,
    code: int = MAX_TIME_EXPIRED,
    labels: list[str] | None = None,
) -> Iterator[None]:
    """Fail the ``times`` ``command`` commands after the next ``skip`` ones; off again on exit.

    ``labels`` are the error labels the answer carries (``TransientTransactionError``: a
    write conflict the transaction retries)."""
    data = {"failCommands": [command], "errorCode": code}
    if labels is not None:
        data["errorLabels"] = labels
    _admin().command(
        {"configureFailPoint": "failCommand", "mode": {"skip": skip, "times": times}, "data": data}
    )
    try:
        yield
    finally:
        _admin().command({"configureFailPoint": "failCommand", "mode": "off"})
