"""Dependency checks behind GET /healthz."""

from __future__ import annotations

import time

import pymongo
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connections

# Probes wait this long for a dependency; a check slower than SLOW_MS is reported
# as slow (degraded), which is a reason to look, not to pull the instance.
PROBE_TIMEOUT_SECONDS = 2.0
SLOW_MS = 500


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check() or {}
        result = {"status": "ok", **detail}
    except Exception as exc:
        result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    if result["status"] == "ok" and result["ms"] > SLOW_MS:
        result["status"] = "slow"
    return result


def check_database() -> dict:
    connection = connections["default"]
    # pymongo.timeout bounds server selection too, so a down database answers fast.
    with pymongo.timeout(PROBE_TIMEOUT_SECONDS):
        connection.ensure_connection()
        connection.connection.admin.command("ping")
    return {}


def check_cache() -> dict:
    # A read proves the cache answers; probes never write.
    # The Redis cache hides an outage from everyone else (modelsnapper.cache); its probe does not.
    getattr(cache, "probe", cache.get)("health:probe")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_broker() -> dict:
    from modelsnapper.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
        return {"transport": conn.transport.driver_type}


def check_storage() -> dict:
    # A metadata read of a name that need not exist: reachable, and nothing written.
    default_storage.exists("health/probe")
    return {"backend": settings.STORAGES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _report(checks: dict, *, required: tuple[str, ...]) -> dict:
    if any(checks[name]["status"] == "error" for name in required):
        status = "down"
    elif all(c["status"] == "ok" for c in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return {"status": status, "checks": checks}


def check_all() -> dict:
    """Everything, for humans (/healthz): the database is the one hard dependency."""
    checks = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "broker": _timed(check_broker),
        "storage": _timed(check_storage),
    }
    return _report(checks, required=("database",))


def readiness() -> dict:
    """For the load balancer (/readyz): can this instance serve and enqueue work?

    The database and the broker are required; a slow or failing cache or storage
    is reported as degraded but keeps the instance in rotation, since pulling
    every instance for a cache blip would turn a slowdown into an outage.
    """
    checks = {
        "database": _timed(check_database),
        "broker": _timed(check_broker),
        "cache": _timed(check_cache),
        "storage": _timed(check_storage),
    }
    return _report(checks, required=("database", "broker"))
