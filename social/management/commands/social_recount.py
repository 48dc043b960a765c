"""Recount every denormalised social counter from the documents that prove them.

Counters change with atomic increments right after the proving write (a Like, a
Follow...). If a process died between the two, a counter is off: this prints each
drift (``DRIFT post …: likes_count stored=5 true=4 drift=+1``), puts it back to the
true count, and exits 1 when there was any, so cron, CI or an alert notices (as
``reconcile_ledger`` does for wallets). ``--check`` reports without changing anything.
It also runs nightly on beat (``social.tasks.recount_counters``).
"""

from django.core.management.base import BaseCommand, CommandError

from social.services import counters_recount


class Command(BaseCommand):
    help = (
        "Recount posts', comments', groups', collections', tags' and people's social counters; "
        "print and fix each drift, exit 1 when there was any (--check: report only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report drift without fixing it.")

    def handle(self, *args, **options):
        drifts = counters_recount(fix=not options["check"])
        for drift in drifts:
            self.stderr.write(f"DRIFT {drift}")
        if drifts:
            done = "left as they are (--check)" if options["check"] else "fixed"
            raise CommandError(f"{len(drifts)} drift(s) found, {done}", returncode=1)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS("No drift: every social counter equals its true count."))
