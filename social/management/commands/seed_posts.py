"""Bulk demo posts (the benchmark's data); ``seed_demo --posts N`` calls the same function."""

from django.core.management.base import BaseCommand

from social.seed import seed_posts


class Command(BaseCommand):
    help = "Bulk-create demo posts across existing people, with progress lines."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be created, create nothing."
        )

    def handle(self, *args, count, dry_run, verbosity, **options):
        if dry_run:
            self.stdout.write(f"Would create {count:,} posts.")
            return
        made = seed_posts(count=count, stdout=self.stdout if verbosity >= 1 else None)
        self.stdout.write(self.style.SUCCESS(f"Created {made:,} posts."))
