"""Production refuses to start without its secrets; every start-up runs in a fresh interpreter."""

import pytest

from modelsnapper.testing.settings import PRODUCTION, run_with


def load_settings(**env):
    return run_with("import modelsnapper.settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT)", **env)


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
