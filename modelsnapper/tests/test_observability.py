"""Request ids on responses, log lines, tasks and error pages; /metrics; Sentry without personal data."""

import gzip
import io
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.db import connections

from modelsnapper.observability import requestid
from modelsnapper.observability.logs import JsonFormatter
from modelsnapper.observability.requestid import RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]


def test_every_response_carries_a_request_id_and_keeps_a_sane_one_from_the_proxy(client, db):
    made = client.get("/livez")["X-Request-ID"]
    kept = client.get("/livez", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"]
    replaced = client.get("/livez", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]

    assert len(made) == 32
    assert kept == "lb-1234abcd"
    assert replaced != "<script>" and len(replaced) == 32


def test_log_lines_are_json_with_the_request_id(client, db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-0001-abcd")
    finally:
        logger.removeHandler(handler)

    assert response.status_code == 404
    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["request_id"] == "req-0001-abcd"
    assert line["level"] == "WARNING" and "Not Found" in line["message"]


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_task_enqueued_during_a_request_carries_its_id_to_the_worker(settings):
    from kombu import Connection

    from modelsnapper.celery import app
    from modelsnapper.tasks import beat_heartbeat

    token = requestid.current.set("req-task-0001")
    try:
        with Connection("memory://") as connection:
            app.send_task(beat_heartbeat.name, connection=connection, queue="request-id-test")
            message = connection.SimpleQueue("request-id-test").get(timeout=2)
    finally:
        requestid.current.reset(token)

    assert message.headers["request_id"] == "req-task-0001"
    seen = []

    @app.task(bind=True, name="request_id_probe")
    def probe(self):
        seen.append(requestid.get())

    probe.apply(headers={"request_id": "req-task-0001"})
    assert seen == ["req-task-0001"]
    assert requestid.get() == ""


def test_the_error_page_shows_the_reference_a_user_can_quote(client, database_down):
    client.raise_request_exception = False
    response = client.get("/u/somebody/", HTTP_X_REQUEST_ID="req-quote-me-42")

    assert response.status_code == 503
    assert b"req-quote-me-42" in response.content


def test_metrics_are_hidden_without_the_token(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-token"

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_report_latency_by_view_job_outcomes_and_queue_depth(client, owner, settings):

    from modelsnapper.testing.factories import JobFactory

    settings.METRICS_TOKEN = "s3cret-token"
    JobFactory(user=owner, prompt="a lighthouse", status="completed", provider="local")
    client.get("/livez")

    body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()

    assert 'modelsnapper_http_request_duration_seconds_count{method="GET",view="livez"}' in body
    assert 'modelsnapper_generation_jobs_last_hour{provider="local",status="completed"} 1.0' in body
    assert 'modelsnapper_celery_queue_depth{queue="celery"}' in body


class _Envelopes(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            import brotli

            body = brotli.decompress(body)
        _Envelopes.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.slow
def test_sentry_receives_errors_tagged_with_the_request_id_and_no_personal_data(db):
    server = HTTPServer(("127.0.0.1", 0), _Envelopes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = """
import django, logging, sentry_sdk
django.setup()
from modelsnapper.observability import requestid
requestid.current.set("req-sentry-0001")
try:
    raise RuntimeError("boom for owner@example.com's job")
except RuntimeError:
    logging.getLogger("generation").exception("job failed")
sentry_sdk.flush(5)
"""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/1",
        "MONGODB_NAME": connections["default"].settings_dict["NAME"],
    }
    try:
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)
    finally:
        server.shutdown()

    events = [
        json.loads(line)
        for body in _Envelopes.received
        for line in body.splitlines()
        if b'"exception"' in line
    ]
    assert events, "Sentry got no error event"
    event = events[0]
    assert event["tags"]["request_id"] == "req-sentry-0001"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert "user" not in event or not event["user"].get("email")


def _metric(client, line_start: str) -> float:
    body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    values = [float(line.rsplit(" ", 1)[1]) for line in body.splitlines() if line.startswith(line_start)]
    return values[0] if values else 0.0


def test_metrics_count_webhook_results_by_source(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    rejected = 'modelsnapper_webhooks_total{result="rejected",source="stripe"}'
    before = _metric(client, rejected)

    client.post(
        "/billing/webhooks/stripe/",
        data="{}",
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=x",
    )
    client.post("/generation/webhooks/replicate/", data="{}", content_type="application/json")

    assert _metric(client, rejected) == before + 1
    assert _metric(client, 'modelsnapper_webhooks_total{result="rejected",source="replicate"}') >= 1
