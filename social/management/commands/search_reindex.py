"""Fill or repair ``search_terms`` (social.search) of every searchable document.

Idempotent: a document whose terms are already right is not written, so a second run
changes nothing. ``--dry-run`` only counts.
"""

from django.core.management.base import BaseCommand

from social import search


class Command(BaseCommand):
    help = "Recompute the search terms of posts, people, groups, tags, articles and images."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        for model in search.searchable_models():
            read, changed = search.reindex(model, dry_run=dry_run)
            verb = "would change" if dry_run else "changed"
            self.stdout.write(f"{model._meta.verbose_name_plural}: {read} read, {changed} {verb}")
