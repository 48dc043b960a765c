"""Gallery writes on one's own images and jobs: delete, purge, favourites, boards, bulk actions.

Every write names the owner in its filter (``user_id=...``): an id that is not the
caller's changes nothing, whatever the page sent. State changes are conditional
updates (``deleted_at=None``, ``is_favourite=not wanted``), so repeating a request
or racing it changes nothing twice. Deleting never charges or refunds anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from generation.models import Board, Image, Job
from generation.services import image_set_public
from modelsnapper.db import run_in_transaction
from modelsnapper.variants import VariantSet
from social.services.source_images import posts_source_image_removed

logger = logging.getLogger(__name__)

BOARD_NAME_MAX = 60


class GalleryError(Exception):
    """A refusal the user can act on; the sentence is shown as it is."""


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: ``changed`` images, and ``skipped`` ids that are not the
    caller's images on show (someone else's, deleted, malformed) or were already so."""

    changed: int
    skipped: int


def _image_soft_delete(*, image_id, user_id, now: datetime) -> bool:
    """Hide one image at once; its posts lose their picture. True if this call deleted it."""
    deleted = Image.objects.filter(pk=image_id, user_id=user_id, deleted_at=None).update(
        deleted_at=now, is_public=False
    )
    if deleted != 1:
        return False
    removed = posts_source_image_removed(image_id=str(image_id))
    if removed:
        Image.objects.filter(pk=image_id).update(purge_names=removed)
    return True


def image_delete(*, user, image: Image) -> bool:
    """Delete one of ``user``'s images: gone from every page now, its files after the grace period.

    Returns False when it was already deleted (or is not ``user``'s): a repeat is a no-op.
    """
    now = timezone.now()
    return run_in_transaction(lambda: _image_soft_delete(image_id=image.pk, user_id=user.pk, now=now))


def job_delete(*, user, job: Job) -> bool:
    """Delete one of ``user``'s finished generations and every image it made.

    A running job is refused (cancel it first: that is what refunds). The job document
    stays: a human-model job is also the model's license record. False on a repeat.
    """

    def delete() -> bool:
        now = timezone.now()
        changed = Job.objects.filter(
            pk=job.pk, user_id=user.pk, status__in=Job.TERMINAL, deleted_at=None
        ).update(deleted_at=now, is_public=False)
        if changed != 1:
            return False
        for image_id in Image.objects.filter(job_id=job.pk, deleted_at=None).values_list("pk", flat=True):
            _image_soft_delete(image_id=image_id, user_id=user.pk, now=now)
        return True

    if job.status in Job.ACTIVE:
        raise GalleryError("This generation is still running. Cancel it first, then delete it.")
    return run_in_transaction(delete)


def _owned_shown(user, image_ids):
    return Image.objects.shown().filter(pk__in=list(image_ids), user_id=user.pk)


def images_bulk_delete(*, user, image_ids) -> BulkResult:
    """Delete several of ``user``'s images in one transaction (all or none)."""
    ids = list(image_ids)

    def delete() -> int:
        now = timezone.now()
        targets = list(_owned_shown(user, ids).values_list("pk", flat=True))
        return sum(_image_soft_delete(image_id=pk, user_id=user.pk, now=now) for pk in targets)

    changed = run_in_transaction(delete)
    return BulkResult(changed=changed, skipped=len(ids) - changed)


def images_bulk_move(*, user, image_ids, board: Board | None) -> BulkResult:
    """File ``user``'s images into ``board`` (None: take them out of any board)."""
    ids = list(image_ids)
    if board is not None and board.user_id != user.pk:
        raise GalleryError("Pick one of your boards.")
    changed = _owned_shown(user, ids).update(board=board)
    return BulkResult(changed=changed, skipped=len(ids) - changed)


def images_bulk_set_public(*, user, image_ids, public: bool) -> BulkResult:
    """Make ``user``'s images public or private: the image page's rule (``image_set_public``), for many."""
    ids = list(image_ids)
    images = list(_owned_shown(user, ids).only("pk", "job_id"))
    for image in images:
        image_set_public(image=image, public=public)
    return BulkResult(changed=len(images), skipped=len(ids) - len(images))


def image_favourite_toggle(*, user, image: Image, favourite: bool) -> bool:
    """Star or unstar; the button carries the wanted state, so a double click is harmless.

    Returns True if the star changed.
    """
    return (
        Image.objects.shown()
        .filter(pk=image.pk, user_id=user.pk, is_favourite=not favourite)
        .update(is_favourite=favourite)
        == 1
    )


def _board_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise GalleryError("Give the board a name.")
    if len(name) > BOARD_NAME_MAX:
        raise GalleryError(f"Keep the name under {BOARD_NAME_MAX} characters.")
    return name


def board_create(*, user, name: str) -> Board:
    """A new board; a name the user already has is refused by the unique index, not a lookup."""
    try:
        return Board.objects.create(user=user, name=_board_name(name))
    except IntegrityError:
        raise GalleryError("You already have a board with that name.") from None


def board_rename(*, user, board: Board, name: str) -> Board:
    name = _board_name(name)
    try:
        changed = Board.objects.filter(pk=board.pk, user_id=user.pk).update(name=name)
    except IntegrityError:
        raise GalleryError("You already have a board with that name.") from None
    if changed != 1:
        raise GalleryError("That board is gone.")
    board.name = name
    return board


def board_delete(*, user, board: Board) -> int:
    """Delete a board; its images stay, unfiled. Returns how many images it held."""

    def delete() -> int:
        unfiled = Image.objects.filter(board_id=board.pk, user_id=user.pk).update(board=None)
        Board.objects.filter(pk=board.pk, user_id=user.pk).delete()
        return unfiled

    return run_in_transaction(delete)


# --- purge ---------------------------------------------------------------------------


def grace_period() -> timedelta:
    return timedelta(days=settings.GENERATION_DELETE_GRACE_DAYS)


def image_stored_names(image: Image) -> list[str]:
    """Every stored file that belongs to the image: the original, its variants, its posts' copies."""
    names = [image.file.name] if image.file else []
    names += [name for _, name in VariantSet.from_data(image.variants).files()]
    names += image.purge_names or []
    return [name for name in dict.fromkeys(names) if name]


def _variants_shared_with_others(image: Image) -> set[str]:
    """Variant names another image of the owner also records (the same picture stored twice has
    the same content-addressed variants): those files stay until the last of them is purged."""
    others = (
        Image.objects.filter(user_id=image.user_id, file_size=image.file_size, purged_at=None)
        .exclude(pk=image.pk)
        .values_list("variants", flat=True)
    )
    return {name for held in others for _, name in VariantSet.from_data(held).files()}


def images_due_for_purge(*, now: datetime | None = None, limit: int = 500) -> list[Image]:
    """Deleted images whose grace period is over and whose files are still stored."""
    cutoff = (now or timezone.now()) - grace_period()
    return list(Image.objects.filter(deleted_at__lte=cutoff, purged_at=None).order_by("deleted_at")[:limit])


def image_purge(*, image: Image, now: datetime | None = None) -> int:
    """Remove a deleted image's files from storage; the document stays. Returns files removed.

    Deleting a file that is already gone is harmless, so a crash between the deletes and
    the ``purged_at`` stamp only means the next run deletes nothing new.
    """
    storage = image.file.storage
    shared = _variants_shared_with_others(image)
    removed = 0
    for name in image_stored_names(image):
        if name not in shared and storage.exists(name):
            storage.delete(name)
            removed += 1
    Image.objects.filter(pk=image.pk, purged_at=None).exclude(deleted_at=None).update(
        purged_at=now or timezone.now()
    )
    return removed


def images_purge_due(*, now: datetime | None = None, dry_run: bool = False, should_stop=None) -> list[Image]:
    """Purge every image past its grace period (beat and ``manage.py purge_deleted_media``)."""
    due = images_due_for_purge(now=now)
    if dry_run:
        return due
    done = []
    for image in due:
        if should_stop is not None and should_stop():
            break
        image_purge(image=image, now=now)
        done.append(image)
    return done
