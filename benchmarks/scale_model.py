"""Scale model: what 10k concurrent users and 1M posts need, from measured per-request costs.

Starts its own throw-away SecantusDB (nothing else is touched), seeds a small world
(people, follows, ``--posts`` posts, a post with comments, a viewer's generation history),
then MEASURES through Django's test client, signed in:
- MongoDB round trips per page (pymongo command listener, ``social_feeds.Counter``) and cache
  (Redis in production) operations per page (the cache backend's calls counted);
- round trips and wall time of a generation job on the local provider (Celery eager: submit,
  charge, run, store, finalise in this process);
- round trips per Stripe webhook event (``billing_ledger.webhook_mix``);
- average BSON size of posts, users, ledger entries, jobs and images (a ``$sample`` of each).
It multiplies them by the load stated in ``LOAD`` and prints MongoDB operations/s, Redis
operations/s, Celery workers, S3/CDN bandwidth, data size at 1M posts, and the shard key
that keeps each page query on one shard. Round-trip counts and sizes carry over to a real
MongoDB; the embedded server's times do not (so only the job's app overhead is taken from
here, and the provider's latency is stated).

    .venv/bin/python benchmarks/scale_model.py [--posts 3000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _setup import PRODUCTION_LIKE, django_setup, social_cast  # noqa: E402
from billing_ledger import COUNTER, webhook_mix  # noqa: E402
from pymongo import monitoring  # noqa: E402

# The load modelled. Stated, not measured: change them and re-run.
LOAD = {
    "concurrent_users": 10_000,
    "think_time_s": 10,  # one page view per signed-in user every 10 s
    "posts": 1_000_000,
    "registered_users": 200_000,
    "jobs_per_user_per_hour": 3,  # of the concurrent users
    "jobs": 5_000_000,  # kept in history at 1M posts
    "ledger_entries_per_job": 1,  # the charge (refunds and grants are rarer)
    "webhook_events_per_s": 2,
    "replicate_latency_s": 12.0,  # a 4-image SDXL job on Replicate, queue + render (stated)
    "worker_utilisation": 0.7,  # target busy share of a Celery process
    "celery_redis_ops_per_job": 4,  # enqueue, deliver, ack, result expiry
    "outputs_per_job": 4,
    "output_png_mb": 1.8,  # a 1024 px diffusion output as PNG (page_weight.py's drawn outputs)
}
# Share of page views (sums to 1).
MIX = {
    "following": 0.30,
    "explore": 0.20,
    "post": 0.20,
    "profile": 0.15,
    "search": 0.05,
    "tag": 0.05,
    "history": 0.05,
}
# Bytes a browser downloads per page view with an empty cache, measured by page_weight.py
# (2026-12-01, README "Benchmarks": explore 0.27 MB, history 0.76 MB); every 20-post grid
# page is taken to weigh what explore weighs.
PAGE_MB = {name: 0.27 for name in MIX} | {"history": 0.76}

# Collection -> (shard key field, the page queries that carry it and so stay on one shard).
# The index printed beside each is looked up on the migrated database: the first index whose
# leading field is the shard key (a sharded collection needs one).
SHARD_KEYS = [
    ("social_post", "author_id", "profile grid, a post's author's other posts"),
    ("social_follow", "follower_id", "following page: whom the viewer follows"),
    ("social_comment", "post_id", "post page: its comment threads"),
    ("social_like", "target_id", "post page: likes and saves"),
    ("social_notification", "recipient_id", "bell and notifications page"),
    ("billing_ledgerentry", "user_id", "wallet page, dashboard, reconcile by user"),
    ("billing_wallet", "user_id", "every charge and grant (one document)"),
    ("billing_stripeevent", "event_id", "webhook record (unique event id)"),
    ("generation_job", "user_id", "history, dashboard, rate limit"),
    ("generation_image", "user_id", "history outputs, boards"),
    ("accounts_user", "_id", "sessions; authors joined by id"),
]
SAMPLED = {
    "social_post": "post",
    "accounts_user": "user",
    "billing_ledgerentry": "ledger entry",
    "generation_job": "job",
    "generation_image": "image",
}


class CacheCounter:
    """Counts calls to the cache backend (Redis in production): one call, one Redis round trip."""

    METHODS = (
        "get",
        "set",
        "add",
        "delete",
        "get_many",
        "set_many",
        "delete_many",
        "incr",
        "touch",
        "has_key",
    )

    def __init__(self, cache):
        self.count = 0
        for name in self.METHODS:
            original = getattr(cache, name)
            setattr(cache, name, self._counted(original))

    def _counted(self, original):
        def call(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--jobs", type=int, default=8, help="local-provider jobs timed")
    args = parser.parse_args()

    from modelsnapper import embedded

    monitoring.register(COUNTER)
    with embedded.throwaway_server("scale-model-") as server:
        django_setup(server.uri, "scale_model", **PRODUCTION_LIKE)
        measured = measure(args)
    report(measured)
    return 0


def measure(args) -> dict:
    import bson
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)

    from billing.seed import seed_catalog
    from billing.services import credits_grant
    from generation import services as generation_services
    from modelsnapper.testing.factories import AIModelFactory, JobFactory
    from social.seed import WORDS, seed_posts

    seed_catalog()
    people, post = social_cast("scale", people=80, follows=49)
    viewer, star = people[0], people[1]
    seed_posts(count=args.posts)
    ai_model = AIModelFactory(slug="scale-local", provider="local", credit_cost=1)
    for _ in range(30):
        JobFactory(user=viewer, ai_model=ai_model, outputs=2)
    cache.clear()

    pages = {
        "following": "/social/",
        "explore": "/social/explore/",
        "profile": f"/social/u/{star.username}/posts/",
        "search": f"/social/search/?q={WORDS[0]}",
        "post": f"/social/p/{post.pk}/",
        "tag": "/social/tags/aiart/",
        "history": "/generation/history/",
    }
    caches = CacheCounter(cache)
    client = Client()
    client.force_login(viewer)
    measured: dict = {"pages": {}}
    for name, url in pages.items():
        client.get(url)  # warm: windows and hints cached, as on a busy site
        COUNTER.count = caches.count = 0
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        measured["pages"][name] = {"mongo": COUNTER.count, "redis": caches.count}

    # A generation job on the local provider, eager: submit + run + store + finalise.
    credits_grant(user=viewer, amount=1000, bucket="purchased", entry_type="bonus", idempotency_key="scale")
    generation_services.job_submit(user=viewer, ai_model=ai_model, prompt="warm-up")
    COUNTER.count, caches.count = 0, 0
    started = time.perf_counter()
    for n in range(args.jobs):
        generation_services.job_submit(user=viewer, ai_model=ai_model, prompt=f"a lighthouse at dusk {n}")
    measured["job"] = {
        "seconds": (time.perf_counter() - started) / args.jobs,
        "mongo": COUNTER.count / args.jobs,
        "redis": caches.count / args.jobs,
    }
    measured["webhook_per_s"], measured["webhook_trips"], _ = webhook_mix(60)

    database = connection.database
    measured["indexes"] = {}
    for collection, field, _ in SHARD_KEYS:
        leading = [
            name
            for name, info in database[collection].index_information().items()
            if info["key"][0][0] == field
        ]
        measured["indexes"][collection] = ", ".join(sorted(leading)[:2]) or "NONE: add one before sharding"
    measured["bson"] = {}
    for collection in SAMPLED:
        docs = list(database[collection].aggregate([{"$sample": {"size": 300}}]))
        measured["bson"][collection] = sum(len(bson.encode(d)) for d in docs) / max(1, len(docs))
    return measured


def report(m: dict) -> None:
    views = LOAD["concurrent_users"] / LOAD["think_time_s"]
    jobs = LOAD["concurrent_users"] * LOAD["jobs_per_user_per_hour"] / 3600
    events = LOAD["webhook_events_per_s"]
    pages = m["pages"]
    mongo_page = sum(MIX[name] * pages[name]["mongo"] for name in MIX)
    redis_page = sum(MIX[name] * pages[name]["redis"] for name in MIX)
    mongo = views * mongo_page + jobs * m["job"]["mongo"] + events * m["webhook_trips"]["all (mean)"]
    redis = views * redis_page + jobs * (m["job"]["redis"] + LOAD["celery_redis_ops_per_job"])
    busy = LOAD["replicate_latency_s"] + m["job"]["seconds"]  # a worker process waits for Replicate
    workers = jobs * busy / LOAD["worker_utilisation"]
    mb_page = sum(MIX[name] * PAGE_MB[name] for name in MIX)
    cdn_gbit = views * mb_page * 8 / 1000
    s3_in_gbit = jobs * LOAD["outputs_per_job"] * LOAD["output_png_mb"] * 8 / 1000
    size = m["bson"]
    data_gb = (
        LOAD["posts"] * size["social_post"]
        + LOAD["registered_users"] * size["accounts_user"]
        + LOAD["jobs"] * (size["generation_job"] + LOAD["outputs_per_job"] * size["generation_image"])
        + LOAD["jobs"] * LOAD["ledger_entries_per_job"] * size["billing_ledgerentry"]
    ) / 1e9

    print("\nMeasured per request (this checkout)")
    print(f"{'page':12} {'mongo round trips':>18} {'cache ops':>10} {'share':>6} {'MB (cold)':>10}")
    for name in MIX:
        print(
            f"{name:12} {pages[name]['mongo']:>18} {pages[name]['redis']:>10} {MIX[name]:>6.0%} {PAGE_MB[name]:>10}"
        )
    job = m["job"]
    print(
        f"generation job (local provider): {job['mongo']:.1f} round trips, {job['redis']:.1f} cache ops, "
        f"{job['seconds'] * 1000:.0f} ms in-process"
    )
    print("webhook round trips per event: " + ", ".join(f"{k} {v}" for k, v in m["webhook_trips"].items()))
    print("average BSON bytes: " + ", ".join(f"{SAMPLED[k]} {v:.0f}" for k, v in size.items()))

    print(
        f"\nModel: {LOAD['concurrent_users']:,} concurrent users, one page per {LOAD['think_time_s']} s, "
        f"{LOAD['posts']:,} posts, {LOAD['jobs_per_user_per_hour']} jobs per user per hour"
    )
    rows = [
        ("page views/s", f"{views:,.0f}"),
        ("generation jobs/s", f"{jobs:,.1f}"),
        ("MongoDB operations/s", f"{mongo:,.0f}  ({mongo_page:.1f} per page view)"),
        ("Redis operations/s", f"{redis:,.0f}  ({redis_page:.1f} per page view + Celery)"),
        (
            "Celery worker processes",
            f"{workers:,.0f}  ({busy:.1f} s per job incl. Replicate {LOAD['replicate_latency_s']} s)",
        ),
        ("CDN egress (cold cache)", f"{cdn_gbit:,.1f} Gbit/s  ({mb_page:.2f} MB per page view)"),
        ("S3 ingest (outputs)", f"{s3_in_gbit:,.2f} Gbit/s"),
        ("MongoDB data (no indexes)", f"{data_gb:,.1f} GB"),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:{width}}  {value}")

    print("\nShard keys (hashed; each query below carries the key, so mongos sends it to one shard;")
    print("explore, tag and search go to every shard, each bounded by the recent _id window)")
    print(
        f"{'collection':20} {'shard key':14} {'queries kept on one shard':44} index with that leading field"
    )
    for collection, field, queries in SHARD_KEYS:
        print(f"{collection:20} {field:14} {queries:44} {m['indexes'][collection]}")


if __name__ == "__main__":
    raise SystemExit(main())
