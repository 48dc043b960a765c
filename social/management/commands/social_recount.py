"""Recompute social counters from the documents that prove them.

Counters change with atomic increments right after the proving write (a Like, a
Follow...). If a process died between the two, this puts them back to the truth.
"""

from django.core.management.base import BaseCommand

from social.services import counters_recount


class Command(BaseCommand):
    help = "Recompute post and user social counters from likes, comments, saves, shares and follows."

    def handle(self, *args, **options):
        fixed = counters_recount()
        self.stdout.write(
            self.style.SUCCESS(f"Recounted {fixed['posts']} posts and {fixed['users']} people.")
        )
