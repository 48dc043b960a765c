"""Soak: signed-in people using the production deployment while its parts fail, and nothing lost.

Starts the production profile (``modelsnapper/testing/stack.py``: gunicorn 2 workers x 4
threads, a Celery worker and beat, Redis, the embedded MongoDB server, S3 on moto, DEBUG
off), seeds people with credits and coins and 2,000 posts, and signs each client in through
the real login form. For ``--duration`` seconds the clients (threads, one HTTP session
each, loopback only) browse feeds and posts, like and unlike, comment, follow, save,
generate (local provider), buy credits through signed Stripe webhooks (about 10 % sent
twice, as Stripe retries; any 5xx answer is retried later, as Stripe does), gift coins
and read their wallet.

Faults, one at a time, spread over the first 80 % of the run, each once the last has
recovered (``--faults``, all by default), each with its recovery time:

- ``worker``: the Celery worker is SIGKILLed with work in hand and started again; its jobs
  must still end (completed or refunded), re-driven by the poller/sweeper on beat;
- ``redis``: Redis restarts empty; pages keep answering, sessions survive (they live in
  MongoDB, Redis only caches them), lost queued jobs are re-driven by the poller (the
  report names every queued task the restart lost);
- ``database``: the database server is stopped for 10 s; pages answer the friendly 503,
  ``/readyz`` 503, webhooks 5xx (so Stripe retries), then everything resumes;
- ``web``: one gunicorn worker is SIGKILLed; the other keeps serving, the master replaces it.

A request on a kept-alive connection the server closed (its idle timeout, a killed worker)
is sent again once on a new connection, as a browser does; the report counts those.

Recovery time: from the fault until ``/readyz`` is 200, a signed-in page answers 200 and
(worker, redis) a job submitted after the fault has completed.

Then it prints requests/s, p50/p95/p99 per action and errors by status (in steady state and
per fault window), lets every job end, and checks the invariants: ``reconcile_ledger`` clean,
``social_recount`` no drift, every job ended exactly once (completed with no refund, or
ended otherwise with exactly one refund of what it was charged), one grant per checkout
session that was paid (none lost, none twice), no 500, no signed-out client, and outside
the faults no error at all. Exit 1 if any fails.

    .venv/bin/python benchmarks/soak.py [--duration 120] [--clients 20] [--think 0] [--warmup 10]
        [--faults worker,redis,database,web]

``--think`` gives each person a pause between actions (exponential, that mean in seconds), as
people read a page before the next click; 0 (the default) sends the next action at once, the
heaviest load a number of clients can make. The first ``--warmup`` seconds (cold caches, people
arriving) are reported on a line of their own, not in the percentile table.

Absolute figures on SecantusDB and a shared 2-core machine are not production figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import stripe  # noqa: E402

from generation.testing import wait_for  # noqa: E402
from modelsnapper.testing.stack import WEBHOOK_SECRET, Stack, hidden_fields, production_stack  # noqa: E402

PASSWORD = "soak-plum-tractor-sunrise-42"
FAULTS = ("worker", "redis", "database", "web")
DATABASE_DOWN_SECONDS = 10
RECOVERY_TIMEOUT = 150
# What a person does, and how often (weights).
MIX = {
    "feed": 20,
    "post": 20,
    "like": 12,
    "comment": 6,
    "follow": 6,
    "save": 6,
    "generate": 6,
    "buy": 4,
    "gift": 5,
    "wallet": 10,
}
REQUEST_TIMEOUT = 30


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


@dataclass
class Sample:
    at: float
    action: str
    status: str  # "200", "302", "503", "connection", "timeout", "signed-out"
    seconds: float


@dataclass
class Window:
    fault: str
    started: float
    ended: float | None = None
    recovered_after: float | None = None
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Recorder:
    def __init__(self):
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.windows: list[Window] = []
        # Checkout sessions paid: id -> the signed event body, until Stripe has had a 2xx for it.
        self.unacknowledged: dict[str, str] = {}
        self.sessions_sent: set[str] = set()
        self.duplicates_sent = 0
        self.retries: Counter = Counter()

    def add(self, action: str, status: str, seconds: float) -> None:
        with self.lock:
            self.samples.append(Sample(time.monotonic(), action, status, seconds))

    def note_retry(self, reason: str) -> None:
        with self.lock:
            self.retries[(self.window_of(time.monotonic()), reason)] += 1

    def window_of(self, at: float) -> str:
        for window in self.windows:
            if window.started <= at <= (window.ended or float("inf")):
                return window.fault
        return "steady"


# --- seeding (in this process, with the deployment's own settings) ---------------------


def django_for(stack: Stack) -> None:
    os.environ.update(stack.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "modelsnapper.settings"
    os.environ["LOG_LEVEL"] = "ERROR"
    import django

    django.setup()


@dataclass
class Person:
    username: str
    user_id: str
    email: str


def seed(*, people: int, posts: int) -> tuple[list[Person], list[str]]:
    """People with a verified address, 500 purchased credits and 200 coins (through the ledger), and posts."""
    import factory
    from django.contrib.auth.hashers import make_password

    from billing.services import coins_grant
    from modelsnapper.testing.factories.accounts import UserFactory
    from modelsnapper.testing.factories.billing import fund
    from social.models import Post
    from social.seed import seed_posts
    from social.services.repair import counters_recount

    # One hash for everyone: hashing is slow on purpose, and the clients sign in with it.
    hashed = factory.Transformer.Force(make_password(PASSWORD))
    users = [UserFactory(username=f"soak{n}", password=hashed) for n in range(people)]
    for user in users:
        fund(user, 500, key=f"soak:fund:{user.pk}")
        coins_grant(user=user, amount=200, idempotency_key=f"soak:coins:{user.pk}")
    seed_posts(count=posts, author_ids=[u.pk for u in users])
    # The seeded counters are made up (no likes behind them): start from the true counts, so a
    # drift afterwards is the soak's.
    counters_recount(fix=True)
    # Everyone may open a public post (the seed makes some followers-only and private).
    post_ids = [str(pk) for pk in Post.objects.filter(visibility="public").values_list("pk", flat=True)]
    return [Person(u.username, str(u.pk), u.email) for u in users], post_ids


# --- clients ---------------------------------------------------------------------------


class SignedOut(Exception):
    pass


def address_of(username: str) -> str:
    """A private address per person, stable across the run (the load balancer's X-Forwarded-For)."""
    number = zlib.crc32(username.encode()) % 65_000 + 1
    return f"10.{number // 250 % 250}.{number % 250}.{1 + number % 200}"


class Client:
    def __init__(
        self,
        stack: Stack,
        person: Person,
        everyone: list[Person],
        post_ids: list[str],
        recorder: Recorder,
        think: float = 0.0,
    ):
        self.url = stack.url
        self.think = think
        self.person = person
        self.everyone = [p for p in everyone if p.username != person.username]
        self.post_ids = post_ids
        self.recorder = recorder
        self.random = random.Random(person.username)
        self.http = requests.Session()
        self.http.headers["X-Forwarded-For"] = address_of(person.username)
        self.package = None

    def sign_in(self) -> None:
        page = self.http.get(f"{self.url}/accounts/login/", timeout=REQUEST_TIMEOUT)
        fields = hidden_fields(page.text)
        response = self.http.post(
            f"{self.url}/accounts/login/",
            data={**fields, "login": self.person.username, "password": PASSWORD},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        if "sessionid" not in self.http.cookies:
            raise RuntimeError(f"{self.person.username} could not sign in: {response.status_code}")

    # One request, timed and recorded; a redirect to the login page means the session was lost.
    def request(self, action: str, method: str, path: str, **kwargs) -> requests.Response | None:
        headers = kwargs.pop("headers", {})
        if method == "POST":
            headers["X-CSRFToken"] = self.http.cookies.get("csrftoken", "")
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                response = self.http.request(
                    method,
                    f"{self.url}{path}",
                    headers=headers,
                    allow_redirects=False,
                    timeout=REQUEST_TIMEOUT,
                    **kwargs,
                )
                break
            except requests.Timeout:
                self.recorder.add(action, "timeout", time.monotonic() - started)
                return None
            except requests.ConnectionError as exc:
                # A kept-alive connection the server closed (its idle timeout, a killed worker) fails
                # before any answer; a browser sends the request again on a new connection, once.
                if attempt == 1:
                    self.recorder.note_retry(type(exc.__context__ or exc).__name__)
                    self.http.close()
                    continue
                self.recorder.add(action, "connection", time.monotonic() - started)
                return None
        status = str(response.status_code)
        if response.is_redirect and "/accounts/login/" in response.headers.get("Location", ""):
            status = "signed-out"
        self.recorder.add(action, status, time.monotonic() - started)
        return response

    def run(self, deadline: float) -> None:
        actions, weights = zip(*MIX.items(), strict=True)
        self._pause(deadline)  # people arrive one by one, not all on the same click
        while time.monotonic() < deadline:
            action = self.random.choices(actions, weights)[0]
            try:
                getattr(self, f"do_{action}")()
            except Exception as exc:  # a page the client could not read: counted, and the client goes on
                self.recorder.add(action, f"client-error {type(exc).__name__}", 0.0)
            self._pause(deadline)

    def _pause(self, deadline: float) -> None:
        """A person reading the page before the next click: exponential, mean ``--think``."""
        if self.think:
            time.sleep(min(self.random.expovariate(1 / self.think), max(0.0, deadline - time.monotonic())))

    def _post_id(self) -> str:
        return self.random.choice(self.post_ids)

    def do_feed(self) -> None:
        self.request("feed", "GET", self.random.choice(["/social/", "/social/explore/", "/social/trending/"]))

    def do_post(self) -> None:
        self.request("post", "GET", f"/social/p/{self._post_id()}/")

    def do_like(self) -> None:
        # The same post twice in a row now and then: a like, then an unlike.
        post_id = self._post_id()
        for _ in range(self.random.choice([1, 2])):
            self.request("like", "POST", f"/social/p/{post_id}/like/")

    def do_comment(self) -> None:
        text = self.random.choice(["Lovely light.", "Great colours!", "How did you make this?", "Nice one"])
        self.request("comment", "POST", f"/social/p/{self._post_id()}/comments/", data={"text": text})

    def do_follow(self) -> None:
        self.request("follow", "POST", f"/social/u/{self.random.choice(self.everyone).username}/follow/")

    def do_save(self) -> None:
        data = {"remove": "1"} if self.random.random() < 0.3 else {"collection": "", "notes": ""}
        self.request("save", "POST", f"/social/p/{self._post_id()}/save/", data=data)

    def do_wallet(self) -> None:
        self.request("wallet", "GET", "/billing/wallet/")

    def do_gift(self) -> None:
        page = self.request("gift", "GET", "/billing/coins/gift/")
        if page is None or page.status_code != 200:
            return
        data = {
            **hidden_fields(page.text),
            "recipient": self.random.choice(self.everyone).username,
            "amount": "1",
        }
        self.request("gift", "POST", "/billing/coins/gift/", data=data)

    def do_generate(self) -> None:
        page = self.request("generate", "GET", "/generate/")
        if page is None or page.status_code != 200:
            return
        model = re.search(r'<select name="model"[^>]*>.*?<option value="([^"]+)"', page.text, re.S)
        if model is None:
            return
        data = {
            **hidden_fields(page.text),
            "prompt": self.random.choice(["a lighthouse at dusk", "a red bicycle", "mountains in fog"]),
            "model": model.group(1),
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "1",
        }
        self.request("generate", "POST", "/generate/", data=data)

    def do_buy(self) -> None:
        """Stripe reports a paid Checkout Session: a signed checkout.session.completed to the webhook."""
        from modelsnapper.testing.stripe_events import package_session, stripe_event

        package = self.package
        session = package_session(_Buyer(self.person), package)
        body = json.dumps(stripe_event("checkout.session.completed", session))
        with self.recorder.lock:
            self.recorder.sessions_sent.add(session["id"])
            self.recorder.unacknowledged[session["id"]] = body
        times = 2 if self.random.random() < 0.1 else 1
        for _ in range(times):
            deliver(self, "buy", session["id"], body)
        if times == 2:
            with self.recorder.lock:
                self.recorder.duplicates_sent += 1


@dataclass
class _Buyer:
    """What ``stripe_events.package_session`` reads of a user."""

    person: Person

    @property
    def pk(self) -> str:
        return self.person.user_id

    @property
    def email(self) -> str:
        return self.person.email


def deliver(client: Client, action: str, session_id: str, body: str) -> bool:
    """Send one webhook delivery, signed now; a 2xx acknowledges it (anything else: Stripe retries)."""
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)
    response = client.request(
        action,
        "POST",
        "/billing/webhooks/stripe/",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )
    if response is not None and 200 <= response.status_code < 300:
        with client.recorder.lock:
            client.recorder.unacknowledged.pop(session_id, None)
        return True
    return False


# --- faults ----------------------------------------------------------------------------


class Probe:
    """A separate signed-in person who watches the site through each fault."""

    def __init__(self, stack: Stack, person: Person, post_ids: list[str], recorder: Recorder):
        self.stack = stack
        # Its requests count with everyone's, as "probe".
        self.client = Client(stack, person, [person], post_ids, recorder)
        self.client.sign_in()

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.stack.url}/readyz", timeout=10).status_code == 200
        except requests.RequestException:
            return False

    def signed_in_page(self, *, new_connection: bool = False) -> int | None:
        # A new connection lands on whichever web worker accepts it (keep-alive would pin one).
        headers = {"Connection": "close"} if new_connection else {}
        if new_connection:
            self.client.http.close()
        response = self.client.request("probe", "GET", "/billing/wallet/", headers=headers)
        return None if response is None else response.status_code

    def submit_job(self) -> str | None:
        """Generate one image; the job page's path, or None when the form could not be sent."""
        page = self.client.request("probe", "GET", "/generate/")
        if page is None or page.status_code != 200:
            return None
        model = re.search(r'<select name="model"[^>]*>.*?<option value="([^"]+)"', page.text, re.S)
        data = {
            **hidden_fields(page.text),
            "prompt": "a probe",
            "model": model.group(1),
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "1",
        }
        submitted = self.client.request("probe", "POST", "/generate/", data=data)
        if submitted is None or submitted.status_code != 302:
            return None
        return submitted.headers["Location"]

    def job_completes(self, timeout: float) -> bool:
        """A new job, submitted now, reaches Completed (through whatever re-drives it)."""
        job_path = self.submit_job()
        if job_path is None:
            return False

        def completed() -> bool:
            response = self.client.request("probe", "GET", job_path)
            return response is not None and response.status_code == 200 and "Completed" in response.text

        return bool(wait_for(completed, timeout=timeout, interval=1))

    def recovered(self, needs_job: bool, deadline: float) -> bool:
        while time.monotonic() < deadline:
            if self.ready() and self.signed_in_page() == 200:
                break
            time.sleep(0.25)
        else:
            return False
        return not needs_job or self.job_completes(max(1.0, deadline - time.monotonic()))


def fault_worker(stack: Stack, probe: Probe, window: Window) -> None:
    from generation.models import Job

    # Kill it with work in hand: a job of the probe's queued, and one running if it can be caught.
    probe.submit_job()
    wait_for(lambda: Job.objects.filter(status=Job.Status.PROCESSING).exists(), timeout=10, interval=0.05)
    active = Counter(Job.objects.filter(status__in=Job.ACTIVE).values_list("status", flat=True))
    stack.kill("worker")
    window.notes.append(f"jobs when killed: {dict(active) or 'none active'}")
    stack.spawn("worker")


def fault_redis(stack: Stack, probe: Probe, window: Window) -> None:
    import redis

    with redis.Redis.from_url(stack.redis.url) as client:
        queued = Counter(json.loads(m)["headers"]["task"] for m in client.lrange("celery", 0, -1))
    window.notes.append(f"queued tasks lost with it: {dict(queued) or 'none'}")
    stack.redis_restart()
    # The same session cookie still opens a signed-in page (sessions live in MongoDB).
    window.checks["a session survives the restart"] = probe.signed_in_page() == 200


def fault_database(stack: Stack, probe: Probe, window: Window) -> None:
    retry: tuple[str, str] | None = None
    stack.database_down()
    down_until = time.monotonic() + DATABASE_DOWN_SECONDS
    try:
        page = probe.client.request("probe", "GET", "/social/explore/")
        window.checks["a page answers the friendly 503"] = (
            page is not None and page.status_code == 503 and "right back" in page.text
        )
        try:
            ready = requests.get(f"{stack.url}/readyz", timeout=15).status_code
        except requests.RequestException:
            ready = None
        window.checks["/readyz answers 503"] = ready == 503
        from modelsnapper.testing.stripe_events import package_session, stripe_event

        session = package_session(_Buyer(probe.client.person), probe.client.package)
        body = json.dumps(stripe_event("checkout.session.completed", session))
        with probe.client.recorder.lock:
            probe.client.recorder.sessions_sent.add(session["id"])
            probe.client.recorder.unacknowledged[session["id"]] = body
        window.checks["a webhook answers 5xx, so Stripe retries"] = not deliver(
            probe.client, "probe", session["id"], body
        )
        retry = (session["id"], body)
    finally:
        time.sleep(max(0.0, down_until - time.monotonic()))
        stack.database_up()
    if retry is not None:
        # Stripe's retry after the outage: acknowledged now.
        acknowledged = wait_for(lambda: deliver(probe.client, "probe", *retry), timeout=60, interval=1)
        window.checks["the webhook's retry is acknowledged"] = bool(acknowledged)


def fault_web(stack: Stack, probe: Probe, window: Window) -> None:
    workers = stack.children("web")
    if not workers:
        window.checks["a web worker to kill"] = False
        return
    victim = workers[0]
    os.kill(victim, signal.SIGKILL)
    window.checks["the other web worker keeps serving"] = probe.signed_in_page(new_connection=True) == 200
    window.checks["the master replaces the worker"] = bool(
        wait_for(lambda: len(set(stack.children("web")) - {victim}) == len(workers), timeout=60, interval=0.2)
    )


FAULT_STEPS = {"worker": fault_worker, "redis": fault_redis, "database": fault_database, "web": fault_web}
NEEDS_JOB = {"worker", "redis"}


def run_faults(
    stack: Stack, probe: Probe, faults: list[str], started: float, duration: float, recorder: Recorder
):
    """One fault at a time, spread over the first 80 % of the run, each once the last has recovered."""
    for n, fault in enumerate(faults):
        at = started + 0.8 * duration * (n + 0.5) / len(faults)
        time.sleep(max(0.0, at - time.monotonic()))
        if time.monotonic() > started + duration:
            print(
                f"note: the {fault} fault starts after the traffic stopped (the previous ones recovered slowly)"
            )
        window = Window(fault, time.monotonic())
        with recorder.lock:
            recorder.windows.append(window)
        FAULT_STEPS[fault](stack, probe, window)
        recovered = probe.recovered(fault in NEEDS_JOB, time.monotonic() + RECOVERY_TIMEOUT)
        window.ended = time.monotonic()
        window.recovered_after = (window.ended - window.started) if recovered else None
        window.checks["recovered"] = recovered


# --- after the run: let every job end, retry unacknowledged webhooks, check ------------


def settle(stack: Stack, clients: list[Client], recorder: Recorder, timeout: float) -> tuple[bool, float]:
    """Stripe retries what was not acknowledged; every job ends (the poller and sweeper re-drive the lost)."""
    from generation.models import Job

    started = time.monotonic()
    retrier = clients[0]
    while time.monotonic() - started < timeout:
        for session_id, body in list(recorder.unacknowledged.items()):
            deliver(retrier, "buy-retry", session_id, body)
        if not recorder.unacknowledged and not Job.objects.filter(status__in=Job.ACTIVE).exists():
            return True, time.monotonic() - started
        time.sleep(2)
    return False, time.monotonic() - started


def invariants(recorder: Recorder) -> dict[str, str]:
    """Each invariant's failure, as a sentence (empty when all hold)."""
    from billing.models import LedgerEntry
    from billing.selectors import ledger_drifts
    from billing.services.payments import checkout_key
    from generation.models import Job
    from social.services.repair import counters_recount

    failures: dict[str, str] = {}
    drifts = ledger_drifts()
    if drifts:
        failures["reconcile_ledger"] = f"{len(drifts)} drift(s): {drifts[:3]}"
    social = counters_recount(fix=False)
    if social:
        failures["social_recount"] = f"{len(social)} drift(s): {social[:3]}"

    keys = set(
        LedgerEntry.objects.filter(idempotency_key__startswith="gen:").values_list(
            "idempotency_key", flat=True
        )
    )
    bad_jobs = []
    jobs = list(Job.objects.all())
    for job in jobs:
        charged, refunded = job.charge_key in keys, job.refund_key in keys
        if job.status in Job.ACTIVE:
            bad_jobs.append(f"{job.pk} still {job.status}")
        elif job.credits_charged and not charged:
            bad_jobs.append(f"{job.pk} {job.status} with no charge entry")
        elif job.status == Job.Status.COMPLETED and (refunded or job.credits_refunded):
            bad_jobs.append(f"{job.pk} completed and refunded")
        elif (
            job.status != Job.Status.COMPLETED
            and job.credits_charged
            and (not refunded or job.credits_refunded != job.credits_charged)
        ):
            bad_jobs.append(
                f"{job.pk} {job.status}: refunded {job.credits_refunded} of {job.credits_charged}"
            )
    if bad_jobs:
        failures["every job ended exactly once"] = f"{len(bad_jobs)} of {len(jobs)}: {bad_jobs[:5]}"

    grants = Counter(
        LedgerEntry.objects.filter(idempotency_key__startswith="stripe:checkout:").values_list(
            "idempotency_key", flat=True
        )
    )
    wrong = {
        sid: grants[checkout_key(sid)] for sid in recorder.sessions_sent if grants[checkout_key(sid)] != 1
    }
    if wrong:
        failures["one grant per checkout session"] = (
            f"{len(wrong)} of {len(recorder.sessions_sent)}: {list(wrong.items())[:5]}"
        )
    return failures


def http_failures(recorder: Recorder) -> dict[str, str]:
    """What people must never see: a 500, a lost session, a page without what it should hold;
    outside a fault, any error at all."""
    failures = {}
    by_window: dict[str, Counter] = defaultdict(Counter)
    for sample in recorder.samples:
        by_window[recorder.window_of(sample.at)][sample.status] += 1
    allowed = {
        # A killed web worker drops the requests it was answering.
        "web": {"connection"},
        # The database away: the friendly 503 (and the requests that waited for it to time out).
        "database": {"503"},
        "steady": set(),
        "worker": set(),
        "redis": set(),
    }
    for window, statuses in by_window.items():
        for status, count in statuses.items():
            if (
                status in ("500", "signed-out")
                or status.startswith("client-error")
                or (status[0] == "5" or status in ("connection", "timeout"))
                and status not in allowed[window]
            ):
                failures[f"{status} in {window}"] = f"{count} response(s)"
    return failures


def report(recorder: Recorder, elapsed: float, clients: int, started: float, warmup: float) -> None:
    warm = [s for s in recorder.samples if s.at < started + warmup]
    samples = [s for s in recorder.samples if s.at >= started + warmup]
    measured = max(elapsed - warmup, 1e-9)
    if warm:
        values = [s.seconds * 1000 for s in warm]
        print(
            f"\nwarm-up, the first {warmup:.0f} s (cold caches, people arriving; not in the table): "
            f"{len(warm)} requests, p50 {percentile(values, 0.5):.0f} ms, p95 {percentile(values, 0.95):.0f} ms"
        )
    print(
        f"\n{len(samples)} requests in {measured:.0f} s from {clients} clients: {len(samples) / measured:.1f} requests/s"
    )
    print(f"{'action':<10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    by_action: dict[str, list[float]] = defaultdict(list)
    for sample in samples:
        by_action[sample.action].append(sample.seconds * 1000)
    for action, values in sorted(by_action.items()):
        print(
            f"{action:<10} {len(values):>6} {percentile(values, 0.5):>8.0f} "
            f"{percentile(values, 0.95):>8.0f} {percentile(values, 0.99):>8.0f}"
        )
    every = [s.seconds * 1000 for s in samples]
    if every:
        print(
            f"{'all':<10} {len(every):>6} {percentile(every, 0.5):>8.0f} {percentile(every, 0.95):>8.0f} "
            f"{percentile(every, 0.99):>8.0f}"
        )
    print("\nstatuses by window:")
    by_window: dict[str, Counter] = defaultdict(Counter)
    for sample in recorder.samples:
        by_window[recorder.window_of(sample.at)][sample.status] += 1
    for window, statuses in by_window.items():
        print(
            f"  {window:<9} " + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        )
    refused = Counter((s.action, s.status) for s in recorder.samples if s.status[0] not in "23")
    if refused:
        print("errors by action: " + ", ".join(f"{a} {st}: {n}" for (a, st), n in sorted(refused.items())))
    if recorder.windows:
        print("\nfaults:")
    for window in recorder.windows:
        recovered = (
            f"recovered in {window.recovered_after:.1f} s" if window.recovered_after else "NOT RECOVERED"
        )
        checks = "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in window.checks.items())
        print(f"  {window.fault:<9} {recovered} ({checks})" + "".join(f"; {note}" for note in window.notes))
    if recorder.retries:
        print(
            "\nrequests sent again on a new connection (the kept-alive one was closed): "
            + ", ".join(f"{w} {reason}: {n}" for (w, reason), n in sorted(recorder.retries.items()))
        )
    print(f"\ncheckout sessions paid: {len(recorder.sessions_sent)}, sent twice: {recorder.duplicates_sent}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of traffic (default 120)")
    parser.add_argument("--clients", type=int, default=20, help="signed-in clients (default 20)")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a person pauses between actions (exponential; default 0: back to back)",
    )
    parser.add_argument(
        "--faults",
        default=",".join(FAULTS),
        help=f"comma-separated, in order, or 'none' (default {','.join(FAULTS)})",
    )
    parser.add_argument(
        "--settle", type=float, default=240, help="seconds allowed for every job to end afterwards"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=10,
        help="seconds at the start reported apart from the table (default 10); errors count throughout",
    )
    parser.add_argument("--keep", action="store_true", help="print the logs directory and keep it")
    args = parser.parse_args()
    faults = [] if args.faults == "none" else [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(sorted(unknown))}")

    # Stop cleanly on SIGTERM too: leaving the with-block stops every process this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="modelsnapper-soak-"))
    settings = {
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "4",
        "CELERY_CONCURRENCY": "2",
        # The poller asks about (and re-sends) jobs with no news after this long; beat runs it every minute.
        "GENERATION_POLL_AFTER_SECONDS": "20",
        "GENERATION_CLAIM_LEASE_SECONDS": "30",
        "LOG_LEVEL": "WARNING",
        # As behind one load balancer: each client has its own address (X-Forwarded-For), so
        # the per-address sign-in limit (allauth's 30 a minute) applies per person, not to all.
        "TRUSTED_PROXY_COUNT": "1",
    }
    print(f"starting the production profile (logs in {workdir / 'logs'})", flush=True)
    with production_stack(workdir, **settings) as stack:
        django_for(stack)
        from billing.models import Package

        seeding = time.monotonic()
        people, post_ids = seed(people=args.clients + 1, posts=args.posts)
        package = Package.objects.filter(is_active=True).order_by("price_cents").first()
        print(
            f"seeded {len(people)} people and {len(post_ids)} posts in {time.monotonic() - seeding:.0f} s",
            flush=True,
        )
        recorder = Recorder()
        clients = [Client(stack, person, people, post_ids, recorder, args.think) for person in people[1:]]
        for client in clients:
            client.package = package
            client.sign_in()
        probe = Probe(stack, people[0], post_ids, recorder)
        probe.client.package = package
        print(
            f"{len(clients)} clients signed in; running for {args.duration:.0f} s, faults: {faults or 'none'}",
            flush=True,
        )

        started = time.monotonic()
        deadline = started + args.duration
        threads = [threading.Thread(target=c.run, args=(deadline,), daemon=True) for c in clients]
        for thread in threads:
            thread.start()
        run_faults(stack, probe, faults, started, args.duration, recorder)
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT * 3 + max(0.0, deadline - time.monotonic()))
        elapsed = time.monotonic() - started
        report(recorder, elapsed, len(clients), started, args.warmup)
        if stack.restarts:
            # The stack supervises the Procfile's processes as the platform would; a crash is a finding.
            print(
                "\nprocesses that exited on their own and were started again: "
                + ", ".join(
                    f"{name} (exit {code}) at {at - started:.0f} s, in the {recorder.window_of(at)} window"
                    for name, code, at in stack.restarts
                )
            )

        settled, settle_seconds = settle(stack, clients, recorder, args.settle)
        from generation.models import Job

        jobs = Counter(Job.objects.values_list("status", flat=True))
        print(
            f"jobs: {dict(jobs)}; all ended {settle_seconds:.0f} s after the run"
            if settled
            else f"jobs: {dict(jobs)}; NOT all ended (or webhooks unacknowledged) after {settle_seconds:.0f} s"
        )
        failures = {**http_failures(recorder), **invariants(recorder)}
        for window in recorder.windows:
            for name, ok in window.checks.items():
                if not ok:
                    failures[f"{window.fault}: {name}"] = "no"
        print("\ninvariants:")
        for name in (
            "reconcile_ledger",
            "social_recount",
            "every job ended exactly once",
            "one grant per checkout session",
        ):
            print(f"  {name}: {'FAILED ' + failures[name] if name in failures else 'holds'}")
        if failures:
            print("\nFAILED:")
            for name, detail in failures.items():
                print(f"  {name}: {detail}")
            print(f"logs: {workdir / 'logs'}")
        if args.keep or failures:
            # Keep the logs to read; the stack itself is stopped by the with-block.
            import shutil

            kept = Path(tempfile.mkdtemp(prefix="modelsnapper-soak-logs-"))
            shutil.copytree(workdir / "logs", kept, dirs_exist_ok=True)
            print(f"logs kept in {kept}")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
