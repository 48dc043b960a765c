"""Start each wallet's new allowance period.

Runs daily from Celery beat (``billing.tasks.reset_quotas``) and by hand.
Unused allowance expires and the plan's quota is granted under the key
``reset:<user>:<period>``, so running it twice, at once, or again after a
crash never grants twice. SIGTERM finishes the current batch and stops.

``--user <id|email> --by <staff email>`` resets one user's quota now, whatever their period
end (support: a customer charged by a fault), through the same reset; both ledger entries
name the staff member.
"""

import signal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from billing.services.quotas import quotas_reset, wallet_quota_reset
from modelsnapper.ids import parse_object_id


def _user_named(value: str):
    """The user whose id or email is ``value`` (None when nobody has it)."""
    users = get_user_model().objects
    pk = parse_object_id(value)
    if pk is not None:
        return users.filter(pk=pk).first()
    return users.filter(email__iexact=value.strip()).first()


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
        parser.add_argument(
            "--user", metavar="ID_OR_EMAIL", help="Reset only this user's quota, now, even mid-period."
        )
        parser.add_argument(
            "--by",
            metavar="STAFF_EMAIL",
            help="With --user: the staff member asking (recorded on the ledger).",
        )

    def handle_one(self, options) -> None:
        user = _user_named(options["user"])
        if user is None:
            raise CommandError(f"No user with the id or email {options['user']!r}.")
        if not options["by"]:
            raise CommandError(
                "Name the staff member asking with --by <email>; the ledger records who reset it."
            )
        staff = _user_named(options["by"])
        if staff is None or not staff.is_staff:
            raise CommandError(f"--by must name a staff member; {options['by']!r} is not one.")
        if options["dry_run"]:
            self.stdout.write(f"Would reset the quota for {user.username} (dry run, nothing written).")
            return
        if not wallet_quota_reset(user=user, staff_user=staff):
            raise CommandError(f"{user.username}'s quota was being reset at the same moment; run it again.")
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Quota reset for {user.username}, recorded as by {staff.email}.")
            )

    def handle(self, *args, **options):
        if options["user"]:
            self.handle_one(options)
            return
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
