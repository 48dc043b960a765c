"""Sentry, when SENTRY_DSN is set: errors from Django, Celery, pymongo and Redis, no personal data."""

from __future__ import annotations

from modelsnapper.observability import requestid


def _tag_request_id(event: dict, _hint: dict) -> dict:
    request_id = requestid.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.pymongo import PyMongoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration(), PyMongoIntegration(), RedisIntegration()],
        # No e-mail addresses, IP addresses, cookies or request bodies unless an operator opts in.
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=_tag_request_id,
    )
