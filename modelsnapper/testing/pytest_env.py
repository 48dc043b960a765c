"""Loaded with ``-p`` before pytest-django reads the settings.

It gives the test run its own SecantusDB server on a free port (a fresh store
each run, stopped at the end), a production-like but self-contained
environment, and the write recorder behind per-test isolation.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

import pytest
from pymongo import monitoring

from modelsnapper import embedded
from modelsnapper.testing.isolation import recorder

# Holds the test server from pytest_load_initial_conftests to pytest_unconfigure.
_server = contextlib.ExitStack()

# Variables a developer's shell may carry that must not reach the tests.
_CLEARED = (
    "REDIS_URL",
    "MEDIA_STORAGE",
    "CELERY_BROKER_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "EMAIL_HOST",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "REPLICATE_API_TOKEN",
    "C2PA_ENABLED",
    "C2PA_SIGNING_CERT_PEM",
    "C2PA_SIGNING_KEY_PEM",
)

_TEST_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "MONGODB_TIMEOUT_MS": "3000",
    "LOG_LEVEL": "WARNING",
    "MODELSNAPPER_SKIP_DOTENV": "1",
    # Billing tests drive the offline checkout (explicitly on, since DEBUG is off) and sign
    # webhooks with this secret.
    "BILLING_TEST_CHECKOUT": "true",
    "STRIPE_WEBHOOK_SECRET": "whsec_test_only_not_a_secret",
    # The two explicit single-machine choices a test run makes; production refuses both defaults.
    "SINGLE_PROCESS_CACHE": "true",
    "MEDIA_STORAGE": "gridfs",
    # Outputs are signed by a development CA the run makes in its own temporary directory.
    "C2PA_DEVELOPMENT_SIGNER": "true",
}


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(_TEST_ENV)
    os.environ["C2PA_DEVELOPMENT_DIR"] = _server.enter_context(
        tempfile.TemporaryDirectory(prefix="modelsnapper-c2pa-")
    )
    monitoring.register(recorder)
    if os.environ.get("TEST_MONGODB_URI"):
        os.environ["MONGODB_URI"] = os.environ["TEST_MONGODB_URI"]
        return
    server = _server.enter_context(embedded.throwaway_server("modelsnapper-test-db-", test_commands=True))
    os.environ["MONGODB_URI"] = server.uri
    os.environ["MODELSNAPPER_TEST_DB_PID"] = str(server.pid)


def pytest_unconfigure(config):
    _server.close()
