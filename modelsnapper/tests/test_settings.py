"""Production refuses to start without its secrets; every start-up runs in a fresh interpreter."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
# Everything production needs (nothing is contacted when settings load).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "example.com",
    "MONGODB_URI": "mongodb://db1.example.com,db2.example.com/?replicaSet=rs0",
    "REDIS_URL": "redis://cache.example.com:6379/0",
    "MEDIA_STORAGE": "gridfs",
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
    "C2PA_SIGNING_CERT_PEM": "/etc/modelsnapper/c2pa-chain.pem",
    "C2PA_SIGNING_KEY_PEM": "/etc/modelsnapper/c2pa-key.pem",
}


def load_settings(**env) -> subprocess.CompletedProcess:
    # Only the variables under test: nothing from the test run's own environment.
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run(
        [sys.executable, "-c", "import modelsnapper.settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT)"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_stops_with_a_clear_message():
    result = load_settings(DEBUG="false", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_without_allowed_hosts_stops_with_a_clear_message():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required" in result.stderr


def test_production_with_its_secrets_starts_with_https_on():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


def test_a_malformed_boolean_is_refused():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_development_needs_no_environment():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True False"


@pytest.mark.parametrize(
    "missing, sentence",
    [
        ("MONGODB_URI", "MONGODB_URI is required"),
        ("REDIS_URL", "REDIS_URL is required when DEBUG is off"),
        ("MEDIA_STORAGE", "MEDIA_STORAGE is required when DEBUG is off"),
    ],
)
def test_production_without_each_required_service_stops_with_its_sentence(missing, sentence):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}

    result = load_settings(**env)

    assert result.returncode != 0
    assert sentence in result.stderr


def test_production_with_s3_needs_the_bucket():
    result = load_settings(**{**PRODUCTION, "MEDIA_STORAGE": "s3"})

    assert result.returncode != 0
    assert "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_a_single_process_cache_is_an_explicit_choice_never_a_fallback():
    env = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}

    assert load_settings(**env, SINGLE_PROCESS_CACHE="true").returncode == 0
