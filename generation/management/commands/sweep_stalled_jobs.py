"""Expire and refund generation jobs past their deadline.

Why: a webhook can be lost and a worker can die; the poller recovers most jobs,
and this is the backstop that guarantees nobody pays for a job that never ends.
Beat runs the same service every minute; run this by hand after an outage.
"""

import signal

from django.core.management.base import BaseCommand

from generation.polling import sweep_stalled_jobs


class Command(BaseCommand):
    help = "Expire and refund generation jobs and training runs past their deadline."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the jobs without changing them.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        jobs = sweep_stalled_jobs(dry_run=dry_run, should_stop=lambda: stop["now"])
        if verbosity >= 2:
            for job in jobs:
                self.stdout.write(f"  {job.pk} {job.status} deadline {job.deadline_at:%Y-%m-%d %H:%M:%S}")
        verb = "would expire" if dry_run else "expired and refunded"
        self.stdout.write(self.style.SUCCESS(f"{len(jobs)} job{'s' if len(jobs) != 1 else ''} {verb}."))
