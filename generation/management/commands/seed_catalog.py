"""The catalog a new deployment starts from: subscription plans, credit packs and AI models.

Run it once on a fresh production database (the README's Deploying section);
it adds what is missing and is safe to run again. Unlike seed_demo it creates no
accounts, so it is allowed with DEBUG off.
"""

from django.core.management.base import BaseCommand

from generation.seed import seed_catalogs


class Command(BaseCommand):
    help = "Create the plans, credit packs and AI model catalog (no accounts; safe with DEBUG off)."

    def handle(self, *args, **options):
        seed_catalogs()
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS("Catalog ready: plans, credit packs and AI models."))
