"""Send the daily and weekly notification digests due now (the beat task runs the same)."""

from django.core.management.base import BaseCommand

from social.digests import digests_send


class Command(BaseCommand):
    help = "E-mail each daily/weekly subscriber their unread notifications, once per period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get a digest; send and record nothing."
        )

    def handle(self, *args, **options):
        run = digests_send(dry_run=options["dry_run"])
        if options["dry_run"]:
            for email, frequency in run.would_send:
                self.stdout.write(f"would send a {frequency} digest to {email}")
            self.stdout.write(f"{len(run.would_send)} digest(s) would be sent; nothing was sent.")
            return
        self.stdout.write(f"Sent {run.sent} digest(s); {run.empty} with nothing new; {run.failed} failed.")
