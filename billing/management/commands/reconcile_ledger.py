"""Prove that money never drifted: each wallet equals the sum of its ledger.

Checks every bucket (allowance, purchased) and currency (coins) of every
wallet, or of one user with ``--user``. Prints each drift and exits non-zero
if there is any, so it can run in CI or cron.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from billing.selectors import ledger_drifts


class Command(BaseCommand):
    help = "Check that every wallet balance equals the sum of its ledger entries; exit 1 on drift."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="Only this user (username, email or id).")

    def handle(self, *args, **options):
        user_id = None
        if options["user"]:
            user_id = self._resolve(options["user"]).pk
        drifts = ledger_drifts(user_id)
        for drift in drifts:
            self.stderr.write(f"DRIFT {drift}")
        if drifts:
            raise CommandError(f"{len(drifts)} drift(s) found", returncode=1)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS("No drift: every wallet equals its ledger."))

    def _resolve(self, ident):
        User = get_user_model()
        user = User.objects.filter(username=ident).first() or User.objects.filter(email=ident).first()
        if user is None:
            try:
                user = User.objects.filter(pk=ident).first()
            except Exception:  # not an ObjectId
                user = None
        if user is None:
            raise CommandError(f"no such user: {ident}")
        return user
