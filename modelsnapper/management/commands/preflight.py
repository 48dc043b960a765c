"""Refuse to start a production process against a database, broker, bucket or static build that won't work."""

from django.core.management.base import BaseCommand, CommandError

from modelsnapper import preflight


class Command(BaseCommand):
    help = (
        "Check that the database is a replica set (or mongos), the broker answers, the S3 bucket exists, "
        "static files are collected and the C2PA signer can sign. Exits non-zero with a sentence per "
        "problem. Run by the Procfile."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", nargs="*", choices=sorted(preflight.all_checks()), help="Run only these checks."
        )

    def handle(self, *args, **options):
        found = preflight.problems(options["only"])
        if found:
            raise CommandError("\n".join(found))
        if options["verbosity"] >= 1:
            passed = ", ".join(options["only"] or preflight.all_checks())
            self.stdout.write(self.style.SUCCESS(f"Preflight passed: {passed}."))
