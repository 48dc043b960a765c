"""Measure the quality score of AI images stored before scores existed (generation.quality).

Why: new outputs are measured when they are stored; images made earlier have no score, so
their pages show none and explore's "Highest quality" order leaves their posts out. This reads
each such image's file once, writes its measure and score, and gives posts published from it
the same score. Safe to run again: only images without a measure are read. SIGTERM stops it
after the image in hand.
"""

import signal

from django.core.management.base import BaseCommand

from generation.quality import image_quality_store, images_to_measure


class Command(BaseCommand):
    help = "Compute quality scores for generated and edited images that have none yet."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the images without reading them.")
        parser.add_argument("--limit", type=int, default=0, help="Score at most this many (0: all).")

    def handle(self, *args, dry_run=False, limit=0, verbosity=1, **options):
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        pending = images_to_measure()
        if limit:
            pending = pending[:limit]
        if dry_run:
            count = pending.count()
            self.stdout.write(f"{count} image{'s' if count != 1 else ''} would be scored.")
            return
        scored = unreadable = 0
        for image in pending.iterator():
            if stop["now"]:
                break
            score = image_quality_store(image=image)
            if score is None:
                unreadable += 1
                if verbosity >= 1:
                    self.stderr.write(f"  image {image.pk}: the file could not be read as a picture")
                continue
            scored += 1
            if verbosity >= 2:
                self.stdout.write(f"  image {image.pk}: {score:.1f}/10")
        self.stdout.write(self.style.SUCCESS(f"Scored {scored} image{'s' if scored != 1 else ''}."))
        if unreadable:
            self.stdout.write(f"{unreadable} could not be read and stay unscored.")
