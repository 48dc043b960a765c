"""Generation fixtures: a funded owner, catalog models, a Replicate stub and a webhook signer.

Only Replicate's HTTP API and the delivery host's network edge are replaced;
everything else (billing, storage, Celery in eager mode, the webhook view) is real.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from modelsnapper.testing.factories import AIModelFactory, fund
from modelsnapper.testing.media import reference_uploads

PUBLIC_IP = "34.117.59.81"


@pytest.fixture
def funded(owner):
    """The owner with 10 free allowance credits plus 100 purchased ones."""
    return fund(owner, 100)


@pytest.fixture
def local_model(db):
    return AIModelFactory(slug="local-fast", name="Local fast", provider="local", credit_cost=2)


@pytest.fixture
def edit_model(db):
    from generation.models import Kind

    return AIModelFactory(
        slug="local-edit", name="Local edit", provider="local", kind=Kind.IMAGE_EDIT, credit_cost=3
    )


@pytest.fixture
def replicate_model(db):
    return AIModelFactory(
        slug="rep-fast",
        name="Replicate fast",
        provider="replicate",
        provider_model="black-forest-labs/flux-schnell",
        credit_cost=2,
    )


class ReplicateStub:
    """A local server speaking the parts of Replicate's JSON API we use, plus a delivery host."""

    def __init__(self):
        self.predictions: dict[str, dict] = {}
        self.trainings: dict[str, dict] = {}
        self.calls: list[tuple[str, str]] = []
        self.files: dict[str, bytes] = {}
        self.deleted_versions: list[str] = []
        self.create_status = "starting"
        self._ids = itertools.count(1)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, data=None, raw=None, content_type="application/json"):
                body = raw if raw is not None else json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")

            def do_GET(self):
                stub.calls.append(("GET", self.path))
                if self.path.startswith("/files/"):
                    data = stub.files.get(self.path)
                    return (
                        self._send(200, raw=data, content_type="image/png") if data else self._send(404, {})
                    )
                parts = self.path.strip("/").split("/")
                if parts[:2] == ["v1", "predictions"] and parts[2] in stub.predictions:
                    return self._send(200, stub.predictions[parts[2]])
                if parts[:2] == ["v1", "trainings"] and parts[2] in stub.trainings:
                    return self._send(200, stub.trainings[parts[2]])
                self._send(404, {"detail": "not found", "status": 404})

            def do_POST(self):
                stub.calls.append(("POST", self.path))
                body = self._body()
                parts = self.path.strip("/").split("/")
                if parts[-1] == "predictions":
                    ident = f"pred{next(stub._ids)}"
                    stub.predictions[ident] = {
                        "id": ident,
                        "model": "/".join(parts[2:4]) if parts[1] == "models" else "x/y",
                        "version": body.get("version") or "v-latest",
                        "status": stub.create_status,
                        "input": body.get("input"),
                        "output": None,
                        "error": None,
                        "logs": "",
                        "metrics": {},
                        "webhook": body.get("webhook"),
                        "created_at": "2026-01-01T00:00:00Z",
                        "urls": {
                            "get": f"/v1/predictions/{ident}",
                            "cancel": f"/v1/predictions/{ident}/cancel",
                        },
                    }
                    return self._send(201, stub.predictions[ident])
                if parts[-1] == "cancel" and parts[1] == "predictions":
                    prediction = stub.predictions[parts[2]]
                    prediction["status"] = "canceled"
                    return self._send(200, prediction)
                if parts[-1] == "trainings":
                    ident = f"train{next(stub._ids)}"
                    stub.trainings[ident] = {
                        "id": ident,
                        "model": "/".join(parts[2:4]),
                        "version": parts[5],
                        "status": "starting",
                        "input": body.get("input"),
                        "output": None,
                        "error": None,
                        "logs": "",
                        "destination": body.get("destination"),
                        "webhook": body.get("webhook"),
                        "created_at": "2026-01-01T00:00:00Z",
                        "urls": {},
                    }
                    return self._send(201, stub.trainings[ident])
                if parts[-1] == "cancel" and parts[1] == "trainings":
                    stub.trainings[parts[2]]["status"] = "canceled"
                    return self._send(200, stub.trainings[parts[2]])
                self._send(404, {"detail": "not found", "status": 404})

            def do_DELETE(self):
                stub.calls.append(("DELETE", self.path))
                stub.deleted_versions.append(self.path.rsplit("/", 1)[-1])
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def creates(self) -> int:
        return sum(1 for method, path in self.calls if method == "POST" and path.endswith("/predictions"))

    def add_file(self, name: str, data: bytes) -> str:
        """Serve ``data`` as if from replicate.delivery; returns its https URL."""
        self.files[f"/files/{name}"] = data
        return f"https://replicate.delivery/files/{name}"

    def finish(self, prediction_id: str, *, status="succeeded", output=None, error=None):
        prediction = self.predictions[prediction_id]
        prediction.update(status=status, output=output, error=error, metrics={"predict_time": 1.25})
        return prediction

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def replicate_stub(settings, monkeypatch):
    """Replicate's API on localhost, and replicate.delivery routed to the same stub.

    Only DNS and the socket are replaced for the delivery host: the URL policy
    (https, allowed host, public address) runs for real.
    """
    from generation import fetch

    stub = ReplicateStub()
    settings.REPLICATE_BASE_URL = stub.url
    settings.REPLICATE_API_TOKEN = "r8_test"
    settings.GENERATION_DELIVERY_HOSTS = ["replicate.delivery"]
    fetched: list[str] = []

    def resolve(host, port):
        if host == "replicate.delivery":
            return [PUBLIC_IP]
        if host == "localhost":
            return ["127.0.0.1"]
        if host.endswith(".internal") or host == "metadata.replicate.delivery":
            return ["169.254.169.254"]
        raise fetch.DownloadError(f"no DNS for {host}")

    def open_response(host, port, path, address, timeout):
        fetched.append(f"https://{host}{path}")
        connection = http.client.HTTPConnection("127.0.0.1", stub.port, timeout=timeout)
        connection.request("GET", path)
        return connection.getresponse()

    monkeypatch.setattr(fetch, "resolve", resolve)
    monkeypatch.setattr(fetch, "open_response", open_response)
    stub.fetched = fetched
    yield stub
    stub.close()


@pytest.fixture
def signed_webhook(client, settings):
    """POST a Replicate webhook signed per Standard Webhooks (v1,<base64 HMAC-SHA256>)."""

    def post(payload, *, webhook_id="msg_1", timestamp=None, secret=None, body=None, extra_signatures=()):
        raw = body if body is not None else json.dumps(payload)
        ts = str(int(timestamp if timestamp is not None else time.time()))
        key = base64.b64decode((secret or settings.REPLICATE_WEBHOOK_SECRET).split("_", 1)[1])
        digest = hmac.new(key, f"{webhook_id}.{ts}.{raw}".encode(), hashlib.sha256).digest()
        signature = " ".join([*extra_signatures, "v1," + base64.b64encode(digest).decode()])
        if body is not None and payload is not None:
            raw = json.dumps(payload)  # tampered: signed one body, sent another
        return client.post(
            "/generation/webhooks/replicate/",
            data=raw,
            content_type="application/json",
            HTTP_WEBHOOK_ID=webhook_id,
            HTTP_WEBHOOK_TIMESTAMP=ts,
            HTTP_WEBHOOK_SIGNATURE=signature,
        )

    return post


@pytest.fixture
def held_tasks(monkeypatch):
    """Tasks are recorded instead of sent (a broker that never delivers); returns the list."""
    from generation import ending

    sent: list[tuple] = []
    monkeypatch.setattr(ending, "enqueue", lambda name, *args: sent.append((name, *args)))
    return sent


# --- marketplace (seed 001) ---------------------------------------------------------


@pytest.fixture
def signed_model(model):
    """The model, listed: three reference images and the current release signed."""
    from generation.marketplace.onboarding import RELEASE_VERSION, model_references_set, model_release_sign

    model_references_set(user=model, uploads=reference_uploads(3))
    model_release_sign(user=model, version=RELEASE_VERSION, ip="203.0.113.9")
    return model


@pytest.fixture
def market_business(business):
    """The business with 110 credits and a package granting human-model access."""
    from billing.models import Wallet

    fund(business, 100)
    Wallet.objects.filter(user_id=business.pk).update(human_model_access=True)
    return business


@pytest.fixture
def approved(market_business, signed_model):
    """The business's consent request, approved by the model."""
    from generation.marketplace.consent import consent_approve, consent_request_create

    request, _ = consent_request_create(business=market_business, model=signed_model)
    return consent_approve(model=signed_model, request=request)
