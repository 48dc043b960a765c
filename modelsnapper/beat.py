"""Exactly one Celery beat schedules, however many are started.

Each beat process runs :class:`SingleBeatScheduler`. On every tick it tries to
hold a lease, one document in MongoDB taken with a single conditional upsert:
either nobody holds it, or its holder let it expire, or we already hold it. The
holder schedules and renews the lease well inside its lifetime; any other beat
idles and asks again, so a second beat (a deploy overlap, a standby on another
machine) never double-schedules, and takes over within ``BEAT_LEASE_SECONDS``
when the holder dies.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from datetime import timedelta

from celery.beat import Scheduler
from django.conf import settings
from django.db import connections
from django.utils import timezone
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

logger = logging.getLogger(__name__)

LEASES = "beat_lease"
BEAT_LEASE = "celery-beat"


def _leases():
    return connections["default"].database[LEASES]


def lease_hold(*, name: str, holder: str, seconds: int) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False while someone else holds it."""
    now = timezone.now()
    try:
        _leases().find_one_and_update(
            {"_id": name, "$or": [{"holder": holder}, {"expires_at": {"$lt": now}}]},
            {"$set": {"holder": holder, "expires_at": now + timedelta(seconds=seconds), "renewed_at": now}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
    except DuplicateKeyError:
        # The document exists and matched neither condition: held, and not by us.
        return False
    return True


def lease_release(*, name: str, holder: str) -> None:
    _leases().delete_one({"_id": name, "holder": holder})


def lease_holder(name: str = BEAT_LEASE) -> dict | None:
    return _leases().find_one({"_id": name})


class SingleBeatScheduler(Scheduler):
    """Celery's in-memory scheduler, active only while this process holds the beat lease."""

    def __init__(self, *args, **kwargs):
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        super().__init__(*args, **kwargs)

    @property
    def lease_seconds(self) -> int:
        return settings.BEAT_LEASE_SECONDS

    def tick(self, *args, **kwargs) -> float:
        # Renew three times per lease lifetime, so one slow tick never loses it.
        renew_every = self.lease_seconds / 3
        try:
            leading = lease_hold(name=BEAT_LEASE, holder=self.holder, seconds=self.lease_seconds)
        except PyMongoError as exc:
            logger.warning("beat: cannot reach the database to hold the lease (%s); not scheduling", exc)
            leading = False
        if leading != self.leading:
            logger.warning("beat %s %s", self.holder, "holds the lease: scheduling" if leading else "idles")
            self.leading = leading
        if not leading:
            return renew_every
        return min(super().tick(*args, **kwargs), renew_every)

    def close(self) -> None:
        if self.leading:
            with contextlib.suppress(PyMongoError):  # it expires on its own
                lease_release(name=BEAT_LEASE, holder=self.holder)
        super().close()
