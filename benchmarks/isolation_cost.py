"""Per-test database isolation: our restore-what-was-written vs Django's flush.

Starts its own SecantusDB, migrates a fresh database, then repeats a typical
test's writes (a user with a verified email address) and times the cleanup.
Run: .venv/bin/python benchmarks/isolation_cost.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import django_setup
from pymongo import monitoring

from modelsnapper import embedded
from modelsnapper.testing.isolation import baseline, recorder

ROUNDS = 100
FLUSH_ROUNDS = 10


def main() -> None:
    with embedded.throwaway_server("bench-isolation-") as server:
        monitoring.register(recorder)
        django_setup(server.uri, "bench_isolation")
        from allauth.account.models import EmailAddress
        from django.core.management import call_command
        from django.db import connections

        from accounts.models import User

        call_command("migrate", verbosity=0)
        database = connections["default"].database
        baseline.capture(database)

        def typical_test(n: int) -> None:
            user = User.objects.create_user(username=f"u{n}", email=f"u{n}@example.com", password="x")
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)

        restore_ms = []
        for n in range(ROUNDS):
            typical_test(n)
            started = time.perf_counter()
            baseline.restore(database)
            restore_ms.append((time.perf_counter() - started) * 1000)
        assert User.objects.count() == 0

        flush_ms = []
        for n in range(FLUSH_ROUNDS):
            typical_test(n)
            started = time.perf_counter()
            call_command("flush", interactive=False, verbosity=0)
            flush_ms.append((time.perf_counter() - started) * 1000)

        def describe(values):
            ordered = sorted(values)
            p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
            return f"median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms   (n={len(values)})"

        print(f"restore written collections: {describe(restore_ms)}")
        print(f"django flush + post_migrate: {describe(flush_ms)}")
        print(f"speed-up: {statistics.median(flush_ms) / statistics.median(restore_ms):.1f}x")


if __name__ == "__main__":
    main()
