"""Start each wallet's new allowance period.

Runs daily from Celery beat (``billing.tasks.reset_quotas``) and by hand.
Unused allowance expires and the plan's quota is granted under the key
``reset:<user>:<period>``, so running it twice, at once, or again after a
crash never grants twice. SIGTERM finishes the current batch and stops.
"""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from billing.services.quotas import quotas_reset


class Command(BaseCommand):
    help = "Expire unused allowance and grant the new period's quota for every wallet whose period ended."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count the wallets that are due.")
        parser.add_argument("--batch-size", type=int, default=settings.BILLING_RESET_BATCH_SIZE)
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.BILLING_RESET_WORKERS,
            help="Threads resetting batches in parallel (wallets are independent).",
        )

    def handle(self, *args, **options):
        self._stop = False
        previous = signal.getsignal(signal.SIGTERM)
        try:
            signal.signal(signal.SIGTERM, self._on_sigterm)
        except ValueError:  # not the main thread (tests running it concurrently)
            previous = None
        verbosity = options["verbosity"]

        def progress(report):
            if verbosity >= 2:
                self.stdout.write(f"  {report.reset + report.skipped}/{report.due} wallets done")

        try:
            report = quotas_reset(
                batch_size=options["batch_size"],
                workers=options["workers"],
                dry_run=options["dry_run"],
                progress=progress,
                should_stop=lambda: self._stop,
            )
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        if verbosity >= 1:
            if options["dry_run"]:
                self.stdout.write(f"{report.due} wallet(s) due for a reset (dry run, nothing written).")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{report.reset} wallet(s) reset, {report.skipped} already done, {report.due} due."
                    )
                )

    def _on_sigterm(self, signum, frame):
        self._stop = True
        self.stderr.write("SIGTERM: stopping after this batch.")
