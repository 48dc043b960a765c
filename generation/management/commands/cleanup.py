"""Nightly maintenance by hand: what storage and the database no longer need.

Why: beat runs the same ``generation.cleanup.cleanup_run`` every night; run this after an
outage, or with ``--dry-run`` to see what it would remove. Prints one line per kind.
"""

import signal

from django.core.management.base import BaseCommand

from generation.cleanup import KINDS, cleanup_run


class Command(BaseCommand):
    help = (
        "Remove failed generations' leftover files, orphaned media files, stale subscriptions "
        "and read notifications past their TTL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        parser.add_argument(
            "--only", action="append", choices=KINDS, default=[], help="Only this kind (repeatable)."
        )

    def handle(self, *args, dry_run=False, only=(), **options):
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        summary = cleanup_run(kinds=only or KINDS, dry_run=dry_run, should_stop=lambda: stop["now"])
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        for line in summary.lines():
            self.stdout.write(line)
