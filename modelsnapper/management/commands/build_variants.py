"""Make the WebP variants of pictures stored before variants existed (or whose variants failed).

    manage.py build_variants [--dry-run] [--batch 100] [--kind generation.image ...]

Idempotent: a picture whose variants are recorded is skipped, and variant names are
content-addressed, so running it twice (or alongside uploads) writes nothing twice. Works
batch-wise in primary-key order, printing a progress line per batch. A missing or unreadable
original is reported and skipped; the run goes on. ``--dry-run`` counts what would be made and
changes nothing.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand

from modelsnapper.picture_sources import (
    likeness_variants_build,
    picture_for,
    picture_kinds,
    picture_variants_build,
    reference_key,
)
from modelsnapper.variants import VariantError

LIKENESS = "accounts.modelprofile"  # by label: the project package imports no app


class Command(BaseCommand):
    help = "Make the WebP variants of stored pictures that have none yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be made; change nothing."
        )
        parser.add_argument("--batch", type=int, default=100, help="Documents read per query (default 100).")
        parser.add_argument(
            "--kind",
            action="append",
            default=[],
            help="Only these models (app_label.model, e.g. generation.image); repeatable.",
        )

    def handle(self, *args, dry_run: bool, batch: int, kind: list[str], **options):
        kinds = [(label, roles) for label, roles in picture_kinds() if not kind or label in kind]
        totals = {"built": 0, "skipped": 0, "failed": 0}
        for label, roles in kinds:
            self._kind(label, roles, batch=batch, dry_run=dry_run, totals=totals)
        if not kind or LIKENESS in kind:
            self._likeness(batch=batch, dry_run=dry_run, totals=totals)
        verb = "would make" if dry_run else "made"
        self.stdout.write(
            f"Done: {verb} variants for {totals['built']} pictures; {totals['skipped']} already had them; "
            f"{totals['failed']} could not be read."
        )

    def _batches(self, model, batch: int):
        last = None
        while True:
            query = model._default_manager.order_by("pk")
            if last is not None:
                query = query.filter(pk__gt=last)
            rows = list(query[:batch])
            if not rows:
                return
            yield rows
            last = rows[-1].pk

    def _kind(self, label: str, roles: list[str], *, batch: int, dry_run: bool, totals: dict) -> None:
        model = apps.get_model(label)
        seen = built = failed = 0
        for rows in self._batches(model, batch):
            for obj in rows:
                for role in roles:
                    shown = picture_for(obj, role)
                    if shown is None:
                        continue  # no picture in this role (a text post, an empty avatar)
                    if shown.variants:
                        totals["skipped"] += 1
                        continue
                    if dry_run:
                        built += 1
                        continue
                    try:
                        picture_variants_build(obj=obj, role=role)
                        built += 1
                    except FileNotFoundError:
                        failed += 1
                        self.stderr.write(f"{label} {obj.pk}{_role(role)}: the original file is missing.")
                    except VariantError as error:
                        failed += 1
                        self.stderr.write(f"{label} {obj.pk}{_role(role)}: {error}")
            seen += len(rows)
            self.stdout.write(
                f"{label}: {seen} read, {built} {'to make' if dry_run else 'made'}, {failed} failed"
            )
        totals["built"] += built
        totals["failed"] += failed

    def _likeness(self, *, batch: int, dry_run: bool, totals: dict) -> None:
        ModelProfile = apps.get_model(LIKENESS)
        seen = built = failed = 0
        for rows in self._batches(ModelProfile, batch):
            for profile in rows:
                recorded = profile.reference_variants or {}
                missing = [name for name in profile.reference_images if reference_key(name) not in recorded]
                totals["skipped"] += len(profile.reference_images) - len(missing)
                if not missing:
                    continue
                if dry_run:
                    built += len(missing)
                    continue
                made = likeness_variants_build(missing)
                for name in missing:
                    if reference_key(name) not in made:
                        failed += 1
                        self.stderr.write(f"{LIKENESS} {profile.pk}: reference {name} could not be read.")
                built += len(made)
                # One conditional update: only if the references did not change meanwhile.
                ModelProfile.objects.filter(pk=profile.pk, reference_images=profile.reference_images).update(
                    reference_variants={**recorded, **made}
                )
            seen += len(rows)
            self.stdout.write(
                f"{LIKENESS}: {seen} read, {built} {'to make' if dry_run else 'made'}, {failed} failed"
            )
        totals["built"] += built
        totals["failed"] += failed


def _role(role: str) -> str:
    return f" ({role})" if role else ""
