"""Generation speed: submit → completed through a real Celery worker on real Redis.

Starts its own SecantusDB and redis-server, migrates a fresh database, starts
`celery -A modelsnapper worker` (prefork, 2 processes) and submits jobs for the
local provider at a steady pace, then reports
- end to end (submitted_at → completed_at) p50 / p95 / max (target: p95 < 2 s);
- the provider's own render time, and the app's overhead per job = end to end
  minus render (target: < 300 ms): submit, charge, queue, claim, store, finalise;
- the time the submit service itself takes (charge + insert + enqueue).
Run: .venv/bin/python benchmarks/generation_latency.py [--jobs 50] [--interval 0.2]
"""

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import django_setup

from modelsnapper import embedded


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between submissions")
    args = parser.parse_args()

    from generation.testing import RedisServer, Worker, wait_for, worker_env

    # Stopped in reverse order: worker, redis, then the database server.
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(embedded.throwaway_server("bench-generation-"))
        redis = RedisServer()
        stack.callback(redis.stop)
        django_setup(
            server.uri,
            "bench_generation",
            REDIS_URL=redis.url,
            CELERY_BROKER_URL=redis.url,
            CELERY_TASK_ALWAYS_EAGER="false",
            GENERATION_PROVIDER="local",
            GENERATION_MAX_IN_FLIGHT="1000",
            GENERATION_RATE_LIMIT="100000",
        )
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        worker = Worker(
            worker_env(mongodb_uri=server.uri, mongodb_name="bench_generation", redis_url=redis.url),
            concurrency=2,
        )
        stack.callback(worker.stop)
        run(args, wait_for)


def run(args, wait_for) -> None:
    from accounts.models import User
    from billing.services import credits_grant
    from generation import services
    from generation.models import Job
    from modelsnapper.testing.factories import AIModelFactory

    user = User.objects.create_user(username="bench", email="bench@example.com", password="x" * 12)
    credits_grant(
        user=user, amount=10_000, bucket="purchased", entry_type="bonus", idempotency_key="bench:fund"
    )
    model = AIModelFactory(slug="bench-local", provider="local", credit_cost=1)

    # Warm the worker (imports, first connection) with one job that is not measured.
    warm = services.job_submit(user=user, ai_model=model, prompt="warm-up")
    if not wait_for(lambda: Job.objects.get(pk=warm.pk).status == "completed", timeout=60):
        raise SystemExit("the worker did not complete the warm-up job")

    submit_ms, ids = [], []
    for n in range(args.jobs):
        started = time.perf_counter()
        job = services.job_submit(
            user=user, ai_model=model, prompt=f"benchmark image {n}: a lighthouse at dusk"
        )
        submit_ms.append((time.perf_counter() - started) * 1000)
        ids.append(job.pk)
        time.sleep(args.interval)
    if not wait_for(
        lambda: Job.objects.filter(pk__in=ids, status="completed").count() == len(ids),
        timeout=120,
        interval=0.2,
    ):
        raise SystemExit("not every job completed")

    total, render, overhead = [], [], []
    for job in Job.objects.filter(pk__in=ids):
        seconds = (job.completed_at - job.submitted_at).total_seconds()
        provider = job.provider_stats.predict_seconds or 0.0
        total.append(seconds * 1000)
        render.append(provider * 1000)
        overhead.append((seconds - provider) * 1000)

    print(
        f"jobs: {len(ids)} (local provider, 512x512 PNG, 1 output), one every {args.interval:.2f} s, "
        f"2 worker processes, Redis broker, SecantusDB"
    )
    print(
        f"submit service      p50 {statistics.median(submit_ms):7.1f} ms   p95 {pct(submit_ms, 95):7.1f} ms"
    )
    print(
        f"end to end          p50 {statistics.median(total):7.1f} ms   p95 {pct(total, 95):7.1f} ms   "
        f"max {max(total):7.1f} ms   (target p95 < 2000 ms)"
    )
    print(f"provider render     p50 {statistics.median(render):7.1f} ms   p95 {pct(render, 95):7.1f} ms")
    print(
        f"app overhead        p50 {statistics.median(overhead):7.1f} ms   p95 {pct(overhead, 95):7.1f} ms   "
        f"(target < 300 ms)"
    )
    ok = pct(total, 95) < 2000 and statistics.median(overhead) < 300
    print("PASS" if ok else "FAIL")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
