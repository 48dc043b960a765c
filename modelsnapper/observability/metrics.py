"""Prometheus metrics at /metrics, behind a bearer token.

Request latency and counts by view, and webhook results, are counted in the web
processes (across gunicorn workers when ``PROMETHEUS_MULTIPROC_DIR`` is set, see
``modelsnapper/gunicorn.conf.py``). Queue depth, and what apps register in
``METRICS_COLLECTORS`` (generation's job outcomes), are read when scraped, so
they need no worker to report in.
"""

from __future__ import annotations

import hmac
import logging
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "modelsnapper_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RESPONSES = Counter(
    "modelsnapper_http_responses_total", "Responses by view and status class.", ["view", "method", "status"]
)
WEBHOOKS = Counter(
    "modelsnapper_webhooks_total", "Webhook deliveries by source and result.", ["source", "result"]
)


def webhook_result(source: str, status: int, *, duplicate: bool = False) -> None:
    """Count one delivery: accepted (or duplicate), rejected (4xx, never retried) or retry (5xx)."""
    if duplicate:
        result = "duplicate"
    elif status < 400:
        result = "accepted"
    elif status < 500:
        result = "rejected"
    else:
        result = "retry"
    WEBHOOKS.labels(source=source, result=result).inc()


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The route's name, never the raw path: ids in paths would explode the label set.
        view = (match.view_name if match else "") or "unmatched"
        if view != "metrics":
            REQUEST_SECONDS.labels(view=view, method=request.method).observe(time.perf_counter() - started)
            RESPONSES.labels(
                view=view, method=request.method, status=f"{response.status_code // 100}xx"
            ).inc()
        return response


class QueueDepth:
    """How many tasks wait in the broker, read at scrape time."""

    def collect(self):
        depth = GaugeMetricFamily(
            "modelsnapper_celery_queue_depth", "Tasks waiting in the queue.", labels=["queue"]
        )
        try:
            from modelsnapper.celery import app

            with app.connection_for_read() as conn:
                declared = conn.default_channel.queue_declare(queue="celery", passive=True)
                depth.add_metric(["celery"], declared.message_count)
        except Exception as exc:  # a scrape reports what it can
            logger.warning("metrics: queue depth unavailable (%s)", exc)
        yield depth


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (REQUEST_SECONDS, RESPONSES, WEBHOOKS):
            registry.register(metric)
    registry.register(QueueDepth())
    # Apps add figures they read at scrape time (settings.METRICS_COLLECTORS).
    for path in settings.METRICS_COLLECTORS:
        registry.register(import_string(path)())
    return registry


@require_GET
@never_cache
def metrics_view(request):
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    # No token configured: the endpoint does not exist. A wrong token looks the same.
    if not token or not hmac.compare_digest(offered.encode(), token.encode()):
        raise Http404("No such page.")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
