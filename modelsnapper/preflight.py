"""What a production process checks before it serves: each problem as one sentence.

Settings already refuse a missing value at import; these checks need the network
(is the database a replica set, does the broker answer, is the bucket there, did
collectstatic run) and so run in ``manage.py preflight``, from the Procfile's
release step and before the web and worker processes start.
"""

from __future__ import annotations

import pymongo
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.db import connections
from django.utils.module_loading import import_string

TIMEOUT_SECONDS = 5.0


def check_database() -> str | None:
    try:
        with pymongo.timeout(TIMEOUT_SECONDS):
            connection = connections["default"]
            connection.ensure_connection()
            hello = connection.connection.admin.command("hello")
    except pymongo.errors.PyMongoError as exc:
        return (
            f"MONGODB_URI does not answer ({type(exc).__name__}): check the address, credentials and network."
        )
    if not hello.get("setName") and hello.get("msg") != "isdbgrid":
        return (
            "MONGODB_URI reaches a standalone MongoDB, but ModelSnapper needs transactions, which need a "
            "replica set or a sharded cluster (mongos): point it at one (Atlas clusters are replica sets)."
        )
    return None


def check_broker() -> str | None:
    from modelsnapper.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    except Exception as exc:
        return f"The Celery broker ({app.conf.broker_url.split('@')[-1]}) does not answer ({type(exc).__name__})."
    return None


def check_media() -> str | None:
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return None
    try:
        default_storage.connection.meta.client.head_bucket(Bucket=settings.AWS_STORAGE_BUCKET_NAME)
    except Exception as exc:
        return (
            f"The S3 bucket {settings.AWS_STORAGE_BUCKET_NAME!r} cannot be reached ({type(exc).__name__}): "
            "check AWS_STORAGE_BUCKET_NAME, the credentials and AWS_S3_ENDPOINT_URL."
        )
    return None


def check_static() -> str | None:
    if settings.DEBUG or not hasattr(staticfiles_storage, "load_manifest"):
        return None
    if not staticfiles_storage.load_manifest():
        return "Static files are not collected: run `python manage.py collectstatic --noinput` (the release step)."
    return None


CHECKS = {"database": check_database, "broker": check_broker, "media": check_media, "static": check_static}


def all_checks() -> dict:
    """Ours, then what apps add in settings.PREFLIGHT_APP_CHECKS (e.g. the C2PA signer)."""
    return {**CHECKS, **{name: import_string(path) for name, path in settings.PREFLIGHT_APP_CHECKS.items()}}


def problems(names=None) -> list[str]:
    return [
        problem for name, check in all_checks().items() if not names or name in names if (problem := check())
    ]
