"""Remove the stored files of images deleted more than GENERATION_DELETE_GRACE_DAYS ago.

Why: deleting an image hides it from every page at once; its files stay for the
grace period, then the original, its variants and the copies in posts published
from it must leave storage (GridFS or S3 keep everything on their own). The image document stays: a human-model image's license record
points at it. Beat runs the same service hourly; run this by hand after an outage.
"""

import signal

from django.core.management.base import BaseCommand

from generation.gallery.services import image_stored_names, images_purge_due


class Command(BaseCommand):
    help = "Remove from storage the files of images deleted longer ago than the grace period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the images without removing anything."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        images = images_purge_due(dry_run=dry_run, should_stop=lambda: stop["now"])
        if verbosity >= 2:
            for image in images:
                files = len(image_stored_names(image))
                self.stdout.write(
                    f"  image {image.pk} deleted {image.deleted_at:%Y-%m-%d %H:%M}, {files} file(s)"
                )
        verb = "would be purged" if dry_run else "purged"
        self.stdout.write(
            self.style.SUCCESS(f"{len(images)} deleted image{'s' if len(images) != 1 else ''} {verb}.")
        )
