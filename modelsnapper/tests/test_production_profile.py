"""The app started the way the Procfile starts it, with DEBUG off, and used like a person would.

Release step (migrate, collectstatic, preflight), gunicorn with two workers, a
Celery worker and beat, real Redis, the embedded MongoDB server standing in for
the external database, and S3 on moto's server (modelsnapper/testing/stack.py). Nothing here talks to
the app except over HTTP, as a browser or Stripe would, and through the database
to find what a person would read in their inbox.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import c2pa
import pytest
import requests
import stripe
from pymongo import MongoClient

from generation.testing import free_port, wait_for
from modelsnapper import embedded
from modelsnapper.testing.stack import (
    BIN,
    DATABASE,
    ROOT,
    WEBHOOK_SECRET,
    Stack,
    hidden_fields,
    procfile,
    production_env,
    production_stack,
)

pytestmark = [pytest.mark.production, pytest.mark.slow]

PASSWORD = "plum-tractor-sunrise-42"


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    with production_stack(tmp_path_factory.mktemp("production")) as app:
        yield app


def _post(
    session: requests.Session, url: str, data: dict, *, page: str | None = None, headers: dict | None = None
) -> requests.Response:
    """Submit a form the way a browser does: read the page that holds it, then post."""
    fields = hidden_fields(session.get(page or url).text)
    return session.post(url, data={**fields, **data}, headers={"Referer": page or url, **(headers or {})})


def _sign_up(app: Stack, username: str) -> requests.Session:
    session = requests.Session()
    email = f"{username}@example.com"
    response = _post(
        session,
        f"{app.url}/accounts/signup/",
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200 and "/accounts/confirm-email/" in response.url, response.text[-2000:]
    # The confirmation e-mail goes to the web process's console in this deployment.
    link = wait_for(
        lambda: re.search(rf"{re.escape(app.url)}/accounts/confirm-email/[^/\s]+/", app.web_log()), timeout=10
    )
    assert link, "no confirmation e-mail"
    confirmed = _post(session, link.group(0), {})
    assert confirmed.status_code == 200
    assert "sessionid" in session.cookies
    return session


def _sign_in(app: Stack, username: str) -> requests.Session:
    session = requests.Session()
    _post(session, f"{app.url}/accounts/login/", {"login": username, "password": PASSWORD})
    assert "sessionid" in session.cookies
    return session


def _served_by(app: Stack, request_id: str) -> int | None:
    """Which gunicorn worker answered, from its JSON access log line (gunicorn writes the pid as <n>)."""
    for line in app.web_log().splitlines():
        if request_id in line and line.startswith("{"):
            return int(json.loads(line)["pid"].strip("<>"))
    return None


def _get_on_worker(app: Stack, session: requests.Session, path: str, worker: int | None, *, avoid=None):
    """GET until the given worker answers (or, with avoid, any other), and return that response."""
    for _ in range(200):
        request_id = uuid.uuid4().hex
        # A new connection each time, so the kernel hands it to either worker (keep-alive would pin one).
        headers = {"X-Request-ID": request_id, "Connection": "close"}
        response = session.get(f"{app.url}{path}", headers=headers, allow_redirects=False)
        pid = wait_for(lambda rid=request_id: _served_by(app, rid), timeout=5, interval=0.05)
        if (worker is not None and pid == worker) or (avoid is not None and pid != avoid):
            return response, pid
    raise AssertionError("the other gunicorn worker never answered")


def _user_id(app: Stack, username: str) -> str:
    with MongoClient(app.database_uri) as client:
        return str(client[DATABASE]["accounts_user"].find_one({"username": username})["_id"])


def _pay_with_stripe(app: Stack, user_id: str, price_id: str) -> requests.Response:
    """Stripe's checkout.session.completed, signed with the endpoint's secret, sent to the webhook."""
    session_id = f"cs_test_{uuid.uuid4().hex[:24]}"
    event = {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2026-10-28.clover",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": "paid",
                "amount_total": 500,
                "currency": "usd",
                "client_reference_id": user_id,
                "customer": None,
                "metadata": {"price_id": price_id, "user_id": user_id},
                "payment_intent": f"pi_test_{uuid.uuid4().hex[:24]}",
                "subscription": None,
                "livemode": False,
            }
        },
    }
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
    return requests.post(
        f"{app.url}/billing/webhooks/stripe/",
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )


def test_a_worker_that_exits_on_its_own_is_started_again_as_the_platform_would(production):
    """The soak saw Celery's worker exit on a Redis restart (an AttributeError inside kombu while it
    put unacknowledged messages back): queued jobs then waited for nobody. The Procfile's processes
    run supervised, as on any platform that runs a Procfile; here the crash is a SIGKILL from
    outside the stack, which ``Stack.kill`` (a fault step's own stop) is not. Runs before the
    end-to-end journey, which ends by stopping the database."""

    def readies() -> int:
        return len(re.findall(r'"message": "celery@[^"]* ready\.', production.log("worker")))

    crashed = production.processes["worker"]
    ready_before = readies()
    os.killpg(crashed.pid, signal.SIGKILL)
    assert wait_for(lambda: production.processes["worker"] is not crashed, timeout=15, interval=0.2)
    assert [name for name, *_ in production.restarts] == ["worker"]
    assert wait_for(lambda: readies() > ready_before, timeout=60, interval=0.5), production.log("worker")[
        -3000:
    ]
    assert production.processes["worker"].poll() is None


def test_a_person_uses_the_production_deployment_end_to_end(production):
    app = production

    # Static files are collected, hashed and cached for a year.
    home = requests.get(app.url + "/")
    assert home.status_code == 200
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', home.text)
    assert stylesheet, "the page does not link a hashed stylesheet"
    asset = requests.get(app.url + stylesheet.group(1))
    assert asset.status_code == 200
    assert (
        "max-age=315360000" in asset.headers["Cache-Control"]
        and "immutable" in asset.headers["Cache-Control"]
    )
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]

    # Sign up and verify the address; then buy credits the way Stripe reports a payment.
    alice = _sign_up(app, "alice")
    wallet_before = alice.get(f"{app.url}/billing/wallet/").text
    paid = _pay_with_stripe(app, _user_id(app, "alice"), "price_pack_starter")
    assert paid.status_code == 200, paid.text
    wallet = alice.get(f"{app.url}/billing/wallet/").text
    assert wallet != wallet_before and "60" in wallet  # 10 free + 50 bought

    # Generate: the real worker picks the job up from Redis and stores the image on S3.
    page = alice.get(f"{app.url}/generate/").text
    model = re.search(r'<select name="model"[^>]*>.*?<option value="([^"]+)"', page, re.S).group(1)
    submitted = _post(
        alice,
        f"{app.url}/generate/",
        {
            "prompt": "a lighthouse at dusk",
            "model": model,
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "1",
        },
        headers={"X-Request-ID": "req-generate-0001"},
    )
    assert "/generation/jobs/" in submitted.url, submitted.text[-2000:]
    job_url = submitted.url
    assert wait_for(lambda: "Completed" in alice.get(job_url).text, timeout=90, interval=0.5), app.web_log()[
        -3000:
    ]
    # The worker's log lines are JSON and carry the id of the request that queued the job.
    worker_lines = [
        json.loads(line)
        for line in (app.logs / "worker.log").read_text().splitlines()
        if line.startswith("{")
    ]
    assert any(
        line["request_id"] == "req-generate-0001" and "succeeded" in line["message"] for line in worker_lines
    ), worker_lines[-5:]
    image_path = re.search(r'href="(/generation/images/[0-9a-f]{24}/)"', alice.get(job_url).text).group(1)
    file_redirect = alice.get(f"{app.url}{image_path}file/", allow_redirects=False)
    assert file_redirect.status_code == 302
    assert file_redirect.headers["Location"].startswith(app.env["AWS_S3_ENDPOINT_URL"])  # straight from S3
    picture = requests.get(file_redirect.headers["Location"])
    assert picture.status_code == 200 and picture.content[:8] == b"\x89PNG\r\n\x1a\n"
    # The original carries Content Credentials signed with the operator's certificate.
    with c2pa.Reader("image/png", io.BytesIO(picture.content)) as reader:
        credentials = json.loads(reader.json())
    active = credentials["manifests"][credentials["active_manifest"]]
    assert credentials["validation_state"] != "Invalid"
    actions = next(a for a in active["assertions"] if a["label"].startswith("c2pa.actions"))["data"][
        "actions"
    ]
    assert actions[0]["action"] == "c2pa.created"

    # Publish it to the feed: the post page shows it.
    image_id = image_path.rstrip("/").rsplit("/", 1)[-1]
    published = _post(alice, f"{app.url}/social/p/new/from-image/{image_id}/", {"caption": "Dusk"})
    assert "/social/p/" in published.url and published.status_code == 200

    # Sign out everywhere from one worker; the other worker must see the other session end.
    laptop = _sign_in(app, "alice")
    signed_in, first_worker = _get_on_worker(app, laptop, "/settings/", worker=None, avoid=-1)
    assert signed_in.status_code == 200
    _, other_worker = _get_on_worker(app, laptop, "/settings/", worker=None, avoid=first_worker)
    ended = _post(alice, f"{app.url}/settings/sessions/others/end/", {}, page=f"{app.url}/settings/sessions/")
    assert ended.status_code == 200
    for worker in (first_worker, other_worker):
        response, _ = _get_on_worker(app, laptop, "/settings/", worker=worker)
        assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]

    # Metrics and readiness; then the database goes away and readiness says so.
    assert requests.get(f"{app.url}/readyz").status_code == 200
    embedded.terminate_pid(app.database_pid, timeout=10)
    not_ready = requests.get(f"{app.url}/readyz", timeout=30)
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"]["database"]["status"] == "error"


REQUIRED = {
    "SECRET_KEY": "SECRET_KEY is required",
    "ALLOWED_HOSTS": "ALLOWED_HOSTS is required",
    "MONGODB_URI": "MONGODB_URI is required",
    "REDIS_URL": "REDIS_URL is required",
    "MEDIA_STORAGE": "MEDIA_STORAGE is required",
    "STRIPE_WEBHOOK_SECRET": "STRIPE_WEBHOOK_SECRET is required",
    "BILLING_TEST_CHECKOUT": "STRIPE_SECRET_KEY is required",
    "C2PA_SIGNING_CERT_PEM": "C2PA_SIGNING_CERT_PEM and C2PA_SIGNING_KEY_PEM are required",
}


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_the_web_process_refuses_to_start_without_each_production_setting(missing):
    env = production_env(
        MONGODB_URI="mongodb://127.0.0.1:1/?replicaSet=rs0",
        REDIS_URL="redis://127.0.0.1:1/0",
        MEDIA_STORAGE="gridfs",
        PORT=str(free_port()),
    )
    env.pop(missing)

    started = subprocess.run(
        ["sh", "-c", procfile()["web"]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert started.returncode != 0
    assert REQUIRED[missing] in started.stderr


def test_the_release_step_refuses_a_standalone_mongodb(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [
            BIN + "/secantusd-py",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            ":memory:",
            "--standalone",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        uri = f"mongodb://127.0.0.1:{port}/"
        embedded.wait_until_ready(uri)
        env = production_env(
            MONGODB_URI=uri + "?directConnection=true",
            REDIS_URL="redis://127.0.0.1:1/0",
            MEDIA_STORAGE="gridfs",
        )
        checked = subprocess.run(
            [sys.executable, "manage.py", "preflight", "--only", "database"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)

    assert checked.returncode != 0
    assert "standalone MongoDB" in checked.stderr and "replica set" in checked.stderr


def test_the_release_step_refuses_a_signing_key_that_cannot_sign(tmp_path):
    (tmp_path / "chain.pem").write_text("not a certificate")
    env = production_env(
        MONGODB_URI="mongodb://127.0.0.1:1/?replicaSet=rs0",
        REDIS_URL="redis://127.0.0.1:1/0",
        MEDIA_STORAGE="gridfs",
        C2PA_SIGNING_CERT_PEM=str(tmp_path / "chain.pem"),
        C2PA_SIGNING_KEY_PEM=str(tmp_path / "missing-key.pem"),
    )

    checked = subprocess.run(
        [sys.executable, "manage.py", "preflight", "--only", "signing"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert checked.returncode != 0
    assert "C2PA_SIGNING" in checked.stderr
