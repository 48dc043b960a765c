"""The shared cache on Redis, which degrades instead of failing while Redis is away.

Redis only caches here: sessions live in MongoDB (``cached_db``), feeds and follow lists
are recomputed from the database, and rate limits are counters. So while Redis restarts or
is unreachable, a read is a miss, a write is skipped, ``add`` says it stored (a rate limit
lets the request through: it fails open, and the log says so) and ``incr`` of a missing
key raises ValueError, as for any miss. Pages keep answering instead of turning into 500s
(found by ``benchmarks/soak.py``). One warning per process and Redis every ``LOG_EVERY`` seconds says
how many operations were skipped. ``probe`` is the one call that still raises, for health.

A Redis that hangs (accepts connections, never answers: a stopped process, a wedged host) costs
each operation the socket timeout (settings ``REDIS_SOCKET_TIMEOUT``). So once an operation found
Redis unreachable, the process does not try it again for ``RETRY_AFTER`` seconds: a page pays at
most one timeout, not one per cache call.

A key deleted while Redis was unreachable but not emptied (a network split rather than a
restart) may be served again until its timeout: the callers' timeouts bound that.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
LOG_EVERY = 10.0
RETRY_AFTER = 2.0


class _Outage:
    """Counts skipped operations and logs at most once per ``LOG_EVERY`` seconds (per process);
    after a failure, says for ``RETRY_AFTER`` seconds that Redis is not worth trying."""

    def __init__(self):
        self.lock = threading.Lock()
        self.skipped = 0
        self.logged_at = float("-inf")
        self.retry_at = float("-inf")
        self.error = ""

    def skipping(self) -> bool:
        return time.monotonic() < self.retry_at

    def note(self, operation: str, exc: Exception | None = None) -> None:
        """One operation skipped: it failed with ``exc``, or (None) was not tried at all."""
        with self.lock:
            self.skipped += 1
            now = time.monotonic()
            if exc is not None:
                self.retry_at = now + RETRY_AFTER
                self.error = str(exc)
            if now - self.logged_at < LOG_EVERY:
                return
            skipped, self.skipped, self.logged_at = self.skipped, 0, now
            error = self.error
        logger.warning(
            "cache unreachable (%s): %d operation(s) skipped, last %s; rate limits let requests through",
            error,
            skipped,
            operation,
        )


# One per Redis location, shared by the process's threads (each thread has its own cache object).
_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class DegradingRedisCache(RedisCache):
    def probe(self, key: str) -> None:
        """A read that raises when Redis is unreachable (health checks must see the outage)."""
        super().get(key)

    def _degrade(self, fallback, call, *args):
        """``call(*args)`` (a RedisCache method), or ``fallback`` when Redis cannot be reached."""
        outage = _outage_of(str(self._servers))
        if outage.skipping():
            outage.note(call.__name__)
            return fallback
        try:
            return call(*args)
        except UNREACHABLE as exc:
            outage.note(call.__name__, exc)
            return fallback

    def get(self, key, default=None, version=None):
        return self._degrade(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._degrade({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._degrade(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(True, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._degrade(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._degrade(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        outage = _outage_of(str(self._servers))
        if outage.skipping():
            outage.note("incr")
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as exc:
            outage.note("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unreachable)") from exc

    def clear(self):
        return self._degrade(None, super().clear)
