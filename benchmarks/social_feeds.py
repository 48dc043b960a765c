"""Feed benchmark: round trips and p50/p95 of the social pages at growing post counts.

Starts its own throw-away SecantusDB (nothing else is touched), migrates, creates
people with follows in one database per size (default 1k, 10k, 100k posts, bulk-seeded
with ``social.seed.seed_posts``'s fast path: the same documents, written from a second
thread while the next batch is built, as a restore would write them: see ``bulk_seeding``),
then measures every size in every round, interleaved, through Django's test client, logged in:
following feed, explore, trending (week), a profile page, search (posts matching a word
the seeded captions use, social.search), a post page (with comments), a group page (the
group's 40 posts among everyone's), a tag page and the generation history (the viewer's 30
jobs among ``size // 10`` jobs of other people). Round trips are counted with a pymongo
command listener, so raw ``$inc`` calls count too.
It also times the explore, following and profile selectors against one hand-written pymongo
aggregation each that returns the same 20 posts with their authors, and reports the ratios.

    .venv/bin/python benchmarks/social_feeds.py [--sizes 1000,10000,100000] [--runs 30] [--warmup 5]

Absolute times on SecantusDB are not production figures (see STACK.md); the
round-trip counts and their constancy across sizes are what carry over.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from _setup import PRODUCTION_LIKE, django_setup, social_cast  # noqa: E402
from pymongo import monitoring  # noqa: E402


class Counter(monitoring.CommandListener):
    """pymongo CommandListener counting commands sent (one command = one round trip)."""

    def __init__(self):
        super().__init__()
        self.count = 0
        self.lock = threading.Lock()
        self.commands: list[str] = []
        self.tracing = False
        self.timed: dict[int, list] = {}  # request id -> [command, milliseconds], while tracing

    def started(self, event):
        if event.command_name in ("endSessions", "hello", "isMaster", "ping"):
            return
        with self.lock:
            self.count += 1
            self.commands.append(f"{event.command_name} {event.command.get(event.command_name)}")
            if self.tracing:
                self.timed[event.request_id] = [event.command, None]

    def succeeded(self, event):
        with self.lock:
            if event.request_id in self.timed:
                self.timed[event.request_id][1] = event.duration_micros / 1000

    def failed(self, event):
        pass


@contextlib.contextmanager
def bulk_seeding(server, table: str):
    """Write many documents into ``table`` the way a restore does, not the way the app does.

    The server is restarted ``--standalone`` (SecantusDB then keeps no oplog: with one, each
    insert's oplog prune walked further as the oplog grew, and seeding 100k posts had not
    finished in 25 minutes) and ``table``'s indexes are dropped, then built again over the
    whole collection on the way out (30k posts: 61 s per 10k written with the indexes, 6 s
    without, 109 s to build all 20). The server comes back as the single-node replica set
    the app runs on, for the pages. Yields a dict that gets ``index_build_s``.
    """
    from django.db import connection

    def restart(options: tuple[str, ...]) -> None:
        connection.close_pool()  # the next query opens a client on the restarted server
        server.restart(options)

    restart(("--standalone",))
    collection = connection.database[table]
    indexes = [{k: v for k, v in index.items() if k != "v"} for index in collection.list_indexes()]
    indexes = [index for index in indexes if index["name"] != "_id_"]
    for index in indexes:
        collection.drop_index(index["name"])
    timings = {}
    try:
        yield timings
    finally:
        start = time.perf_counter()
        connection.database.command("createIndexes", table, indexes=indexes)
        timings["index_build_s"] = round(time.perf_counter() - start, 1)
        restart(())


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (Linux ``/proc``; 0 elsewhere): a load-independent measure
    of the seeding, where wall time on a shared machine is not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def within_budget(times_ms: list, *, budget_s: float = 10.0, at_least: int = 3) -> bool:
    """Whether to time a reference query once more: at least ``at_least`` times, then while
    its runs took under ``budget_s`` in all. The hand-written aggregations can be O(N) on
    SecantusDB (the unbounded one always; following's ``$in``/``$or`` even inside the window,
    3.3 s at 10k), and 30 runs of them at 100k posts would take longer than the pages."""
    return len(times_ms) < at_least or sum(times_ms) < budget_s * 1000


def _window_lower_bound(name: str, viewer, star):
    """The lowest ``_id`` the selector's recent window reads (``social.queryshape``), or None."""
    from bson import ObjectId
    from django.core.cache import cache
    from django.utils import timezone

    from social.models import Post
    from social.queryshape import recent_window

    if name == "following":
        hours = cache.get(f"social:following-window:{viewer.pk}")
        span = timedelta(hours=hours) if hours else None
    elif name == "profile":
        span = recent_window(f"profile:{star.pk}:all", Post.objects.filter(author_id=star.pk, live=True))
    else:
        span = recent_window("explore:all", Post.objects.filter(listed=True))
    return ObjectId.from_datetime(timezone.now() - span) if span else None


@dataclass
class Fixture:
    """One size's database and what its pages are measured as: the viewer, a followed star with
    a post and a group, and a client logged in on that database."""

    size: int
    database: str
    viewer: object
    star: object
    post: object
    group: object
    followed: list
    client: object
    pages: dict
    row: dict


def use_database(name: str) -> None:
    """Point Django's connection and its cache at one size's database (one server holds all)."""
    from django.core.cache import cache
    from django.db import connection

    connection.ensure_connection()
    connection.settings_dict["NAME"] = name
    connection.database = connection.connection[name]  # the backend caches it on connect
    cache.key_prefix = name  # window hints and sessions are per database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--warmup",
        type=int,
        default=5,
        help="untimed requests per page and size (caches, the first size's start-up)",
    )
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--trace", action="store_true", help="print each page's commands and their times")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    import signal

    from modelsnapper import embedded

    # Stop cleanly on SIGTERM too: leaving the with-block below stops our database server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    counter = Counter()
    monitoring.register(counter)
    with embedded.throwaway_server("social-bench-") as server:
        django_setup(server.uri, f"social_bench_{sizes[0]}", **PRODUCTION_LIKE)
        from django.conf import settings
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
        # The per-process cache stands in for Redis, which evicts nothing here; at its default
        # 300 entries it would cull a third of them at random once the sizes' entries added up.
        settings.CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": 1_000_000}

        from django.utils import timezone

        from accounts.models import User
        from generation import selectors as generation_selectors
        from generation.models import Job
        from modelsnapper.testing.factories import AIModelFactory, JobFactory
        from social import search, selectors, services
        from social.models import Post
        from social.seed import WORDS, seed_posts

        user_table = User._meta.db_table

        def build(size: int) -> Fixture:
            """A database of ``size`` posts with the same people, follows, post, group and jobs."""
            database = f"social_bench_{size}"
            use_database(database)
            call_command("migrate", verbosity=0)
            follows = 59
            people, post = social_cast("bench", people=200, follows=follows)
            viewer, star = people[0], people[1]
            group = services.group_create(creator=star, name="Bench group")
            services.group_join(user=viewer, group=group)
            for n in range(40):
                services.post_create(
                    author=star, category="text-post", caption=f"group post {n}", group=group
                )
            ai_model = AIModelFactory(slug="bench-fast", name="Bench fast")
            for _ in range(30):
                JobFactory(user=viewer, ai_model=ai_model, outputs=2)

            t0, client_cpu0 = time.perf_counter(), time.process_time()
            with bulk_seeding(server, Post._meta.db_table) as seeding:
                seed_posts(count=size, fast=True)
                posts_seconds = time.perf_counter() - t0
                # The server was started for this seeding: all its CPU time is the seeding's.
                posts_cpu = cpu_seconds(server.pid), time.process_time() - client_cpu0
            use_database(database)  # the restart opened a new client
            star = User.objects.get(pk=star.pk)  # as the profile page reads it, after the seeding
            now = timezone.now()
            Job.objects.bulk_create(
                [
                    Job(
                        user=people[2 + n % 150],
                        ai_model=ai_model,
                        prompt="p",
                        seed=1,
                        status="completed",
                        deadline_at=now,
                        submitted_at=now,
                    )
                    for n in range(size // 10)
                ],
                batch_size=2000,
            )
            client = Client()
            client.force_login(viewer)
            pages = {
                "following": "/social/",
                "explore": "/social/explore/",
                "trending": "/social/trending/?period=week",
                "profile": f"/social/u/{star.username}/posts/",
                "search": f"/social/search/?q={WORDS[0]}",
                "post": f"/social/p/{post.pk}/",
                "group": f"/social/groups/{group.slug}/",
                "tag": "/social/tags/aiart/",
                "history": "/generation/history/",
            }
            if args.pages:
                pages = {name: url for name, url in pages.items() if name in args.pages.split(",")}
            row = {
                "size": size,
                "seed_s": round(time.perf_counter() - t0, 1),
                "seed_s_per_1k_posts": round(posts_seconds * 1000 / size, 2),
                "index_build_s": seeding["index_build_s"],
                "seed_cpu_s_per_1k_posts": {
                    "server": round(posts_cpu[0] * 1000 / size, 2),
                    "benchmark": round(posts_cpu[1] * 1000 / size, 2),
                },
            }
            followed = [p.pk for p in people[1 : follows + 1]]  # whom social_cast made the viewer follow
            return Fixture(size, database, viewer, star, post, group, followed, client, pages, row)

        def selector_for(fixture: Fixture, name: str):
            """The page's own reads (selector only: no session middleware, no template)."""
            viewer, star, post, group = fixture.viewer, fixture.star, fixture.post, fixture.group
            return {
                "following": lambda: selectors.following_feed(viewer),
                "explore": lambda: selectors.explore_feed(viewer),
                "trending": lambda: selectors.trending_feed(viewer, period="week"),
                "profile": lambda: selectors.profile_posts(viewer, star),
                "search": lambda: search.search(viewer, query=WORDS[0]),
                "post": lambda: selectors.post_comments(viewer, selectors.post_for_viewer(viewer, post.pk)),
                "group": lambda: selectors.group_posts(
                    viewer, *selectors.group_for_viewer(viewer, group.slug)
                ),
                "tag": lambda: selectors.tag_feed(viewer, "aiart"),
                "history": lambda: generation_selectors.history(viewer),
            }[name]

        def pymongo_page(match: dict, lower=None) -> list:
            """One hand-written aggregation: the 20 newest matching posts with their authors."""
            if lower is not None:
                match = {**match, "_id": {"$gte": lower}}
            return list(
                connection.database[Post._meta.db_table].aggregate(
                    [
                        {"$match": match},
                        {"$sort": {"_id": -1}},
                        {"$limit": 20},
                        {
                            "$lookup": {
                                "from": user_table,
                                "localField": "author_id",
                                "foreignField": "_id",
                                "as": "author",
                            }
                        },
                    ]
                )
            )

        def hand_written(fixture: Fixture) -> dict:
            """What each selector shows this viewer, written as one filter document."""
            viewer, star = fixture.viewer, fixture.star
            followed = fixture.followed
            return {
                "explore": {"listed": True},
                "following": {
                    "author_id": {"$in": [*followed, viewer.pk]},
                    "live": True,
                    "$or": [
                        {"author_id": viewer.pk},
                        {"visibility": {"$ne": "private"}, "closed_group": False},
                    ],
                },
                "profile": {
                    "author_id": star.pk,
                    "live": True,
                    "visibility": {"$in": ["public", "followers"]},
                    "closed_group": False,
                },
            }

        fixtures = [build(size) for size in sizes]
        pages = list(fixtures[0].pages)
        # What building the fixtures cached would expire on its own clock, the 1k one's during
        # the measuring (after the 100k seeding): the warm-up fills every cache afresh instead.
        # The extra round trips first seen here were not that (see the commands printed below).
        from django.core.cache import cache

        cache.clear()

        # Every size is measured in every round, in a rotating order, so a slower stretch of the
        # shared machine lands on all sizes alike (measured one after another, the same page
        # moved by 0.5x to 2x between two runs: more than the effect being measured).
        for fixture in fixtures:
            use_database(fixture.database)
            for url in fixture.pages.values():
                for _ in range(args.warmup):
                    fixture.client.get(url)
        times = {(f.size, name): [] for f in fixtures for name in pages}
        selector_times = {(f.size, name): [] for f in fixtures for name in pages}
        trips = {(f.size, name): set() for f in fixtures for name in pages}
        commands = {(f.size, name): [] for f in fixtures for name in pages}
        selector_trips = {}
        selector_calls = {(f.size, name): selector_for(f, name) for f in fixtures for name in pages}
        for run in range(args.runs):
            for fixture in fixtures[run % len(fixtures) :] + fixtures[: run % len(fixtures)]:
                use_database(fixture.database)
                for name, url in fixture.pages.items():
                    counter.count = 0
                    start = time.perf_counter()
                    response = fixture.client.get(url)
                    times[fixture.size, name].append((time.perf_counter() - start) * 1000)
                    trips[fixture.size, name].add(counter.count)
                    commands[fixture.size, name].append(
                        counter.commands[len(counter.commands) - counter.count :]
                    )
                    assert response.status_code == 200, (url, response.status_code)
                    counter.count = 0
                    start = time.perf_counter()
                    selector_calls[fixture.size, name]()
                    selector_times[fixture.size, name].append((time.perf_counter() - start) * 1000)
                    selector_trips[fixture.size, name] = counter.count

        for fixture in fixtures:
            use_database(fixture.database)
            row = fixture.row
            for name, url in fixture.pages.items():
                if args.trace:
                    counter.timed.clear()
                    counter.tracing = True
                    fixture.client.get(url)
                    counter.tracing = False
                    print(f"--- {fixture.size} {name}: the page's commands")
                    for command, ms in list(counter.timed.values()):
                        print(f"  {ms or 0:8.1f} ms  {str(command)[:400]}")
                page_times, own_times = times[fixture.size, name], selector_times[fixture.size, name]
                row[name] = {
                    "p50_ms": round(statistics.median(page_times), 1),
                    "p95_ms": round(percentile(page_times, 0.95), 1),
                    "round_trips_page": sorted(trips[fixture.size, name]),
                    "round_trips_selector": selector_trips[fixture.size, name],
                    "selector_p50_ms": round(statistics.median(own_times), 1),
                    "selector_p95_ms": round(percentile(own_times, 0.95), 1),
                }
            filters = hand_written(fixture)
            for name in ("explore", "following", "profile"):
                if name not in pages:
                    continue
                orm_selector = selector_calls[fixture.size, name]
                orm_selector()  # fills the window caches the lower bound below reads
                lower = _window_lower_bound(name, fixture.viewer, fixture.star)
                orm_times, windowed_times = [], []
                for _ in range(args.runs):  # interleaved, so both see the same load
                    start = time.perf_counter()
                    page = orm_selector()
                    orm_times.append((time.perf_counter() - start) * 1000)
                    if within_budget(windowed_times):
                        start = time.perf_counter()
                        windowed = pymongo_page(filters[name], lower)
                        windowed_times.append((time.perf_counter() - start) * 1000)
                raw_times = []
                while within_budget(raw_times) and len(raw_times) < args.runs:
                    start = time.perf_counter()
                    raw = pymongo_page(filters[name])
                    raw_times.append((time.perf_counter() - start) * 1000)
                assert (
                    [p.pk for p in page.items] == [d["_id"] for d in raw] == [d["_id"] for d in windowed]
                ), f"{name}: pages differ"
                assert [p.author.pk for p in page.items] == [d["author"][0]["_id"] for d in raw]
                orm = statistics.median(orm_times)
                row[f"{name}_orm_vs_pymongo"] = {
                    "orm_p50_ms": round(orm, 1),
                    "pymongo_p50_ms": round(statistics.median(raw_times), 1),
                    "pymongo_windowed_p50_ms": round(statistics.median(windowed_times), 1),
                    "ratio": round(orm / statistics.median(raw_times), 2),
                    "ratio_windowed": round(orm / statistics.median(windowed_times), 2),
                }
            print(row, flush=True)

        print("\nsize     page        p50 ms   p95 ms   selector p50/p95 ms   round trips (page / selector)")
        for fixture in fixtures:
            row = fixture.row
            cpu = row["seed_cpu_s_per_1k_posts"]
            print(
                f"{row['size']:<8} seeding {row['seed_s']} s ({row['seed_s_per_1k_posts']} s per 1k posts; "
                f"CPU per 1k posts: server {cpu['server']} s, benchmark {cpu['benchmark']} s; "
                f"the posts' indexes built in {row['index_build_s']} s)"
            )
            for name in pages:
                r = row[name]
                print(
                    f"{row['size']:<8} {name:<11} {r['p50_ms']:>7} {r['p95_ms']:>8}   "
                    f"{r['selector_p50_ms']:>8} / {r['selector_p95_ms']:<8}   {r['round_trips_page']} / {r['round_trips_selector']}"
                )
            for name in ("explore", "following", "profile"):
                if f"{name}_orm_vs_pymongo" not in row:
                    continue
                e = row[f"{name}_orm_vs_pymongo"]
                print(
                    f"{row['size']:<8} {name} selector {e['orm_p50_ms']} ms vs one pymongo aggregation: "
                    f"unbounded {e['pymongo_p50_ms']} ms (ratio {e['ratio']}), with the same window "
                    f"{e['pymongo_windowed_p50_ms']} ms (ratio {e['ratio_windowed']})"
                )
        print(f"\ncache entries at the end: {len(getattr(cache, '_cache', ()))}")
        for (size, name), sent in commands.items():
            usual = min(len(request) for request in sent)
            for request in sent:
                if len(request) > usual:
                    print(f"{size} {name}: a request made {len(request)} round trips, not {usual}:")
                    print("   " + "; ".join(command[:90] for command in request))
        first = fixtures[0].row
        print(f"\np95 of each size over {first['size']} posts' (measured interleaved, {args.runs} rounds)")
        for name in pages:
            ratios = ", ".join(
                f"{f.size}: {f.row[name]['p95_ms'] / first[name]['p95_ms']:.2f}x" for f in fixtures[1:]
            )
            print(f"  {name:<11} {ratios}")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
