"""Personal models: photos → a training run → a model version the user can generate with.

A user keeps several models (seed 000 ``Users.models``), each with its own name, photos,
training runs and version; training one never touches the others, and retraining one
replaces that model's version only once the new one succeeds.

Same rules as image jobs: claim with a conditional update, charge at start with
``gen:train:<id>:charge``, refund exactly once if the run fails, is canceled or
expires (the state change and the refund commit together).

The limits hold at the write, under concurrent requests: a partial unique index
allows one run in progress per user (a second start fails at its insert, before
any charge); photos are recorded in the transaction that raises the model's
``photo_count`` only while it stays within the cap; a new model takes a free
numbered slot under a unique (user, slot) index, so the per-user limit holds too.
"""

from __future__ import annotations

import contextlib
import io
import logging
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from billing.models import Achievement, LedgerEntry
from billing.services import credits_charge, credits_refund, wallet_for
from billing.services.coins import achievement_grant
from generation import ending
from generation.callback import webhook_url
from generation.models import AIModel, Job, Kind, PersonalModel, TrainingPhoto, TrainingRun
from generation.providers import ProviderError, TrainingResult, get_provider, provider_name_for
from generation.providers.base import CANCELED, FAILED, RUNNING, SUCCEEDED
from modelsnapper.db import run_in_transaction
from modelsnapper.notices import notify_after_commit
from modelsnapper.picture_sources import picture_variants_delete, picture_variants_store
from modelsnapper.sentences import Sentence

logger = logging.getLogger(__name__)

MIN_PHOTOS = 10
MAX_PHOTOS = 20
ARCHIVE_SALT = "generation.training.archive"

RunStatus = TrainingRun.Status


class TrainingError(Exception):
    """A rule refused the request; the message is fit to show the person."""


def personal_models_max() -> int:
    return settings.GENERATION_PERSONAL_MODELS_MAX


def name_key(name: str) -> str:
    """What makes two names the same name: case and runs of spaces do not count."""
    return " ".join(name.split()).casefold()


class NameTaken(TrainingError):
    """The owner already has a model by that name."""


def _name_taken(name: str) -> NameTaken:
    return NameTaken(_("You already have a model named “%(name)s”. Pick another name.") % {"name": name})


def personal_model_create(*, user, name: str) -> PersonalModel:
    """A new, untrained model in the lowest free slot, or TrainingError (limit, name taken).

    The limit is the unique (user, slot) index: a concurrent create that took the same slot
    makes this insert fail, and the next free slot is tried; with none left it is refused.
    """
    name = " ".join(name.split())
    key = name_key(name)
    limit = personal_models_max()
    taken = set(PersonalModel.objects.for_user(user).filter(slot__gt=0).values_list("slot", flat=True))
    for slot in range(1, limit + 1):
        if slot in taken:
            continue
        try:
            return PersonalModel.objects.create(user=user, name=name, name_key=key, slot=slot)
        except IntegrityError:
            # The index refused it: the name is taken, or a concurrent create took this slot.
            if PersonalModel.objects.for_user(user).filter(name_key=key).exists():
                raise _name_taken(name) from None
    raise TrainingError(
        _("You can keep at most %(limit)d personal models. Delete one to make room for another.")
        % {"limit": limit}
    )


def personal_model_rename(*, personal: PersonalModel, name: str) -> PersonalModel:
    name = " ".join(name.split())
    try:
        renamed = (
            PersonalModel.objects.live().filter(pk=personal.pk).update(name=name, name_key=name_key(name))
        )
    except IntegrityError:
        raise _name_taken(name) from None
    if not renamed:
        raise TrainingError(_("This model was deleted."))
    personal.name = name
    return personal


def photo_batch_max_bytes() -> int:
    """The most one photo upload may carry in all (each photo also has the image byte cap)."""
    return getattr(settings, "GENERATION_TRAINING_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)


def photo_room(personal: PersonalModel) -> int:
    """How many more photos the model may take now (a hint for early refusals; the write decides)."""
    return max(0, MAX_PHOTOS - personal.photo_count)


def training_photos_add(*, personal: PersonalModel, uploads: list[ContentFile]) -> list[TrainingPhoto]:
    """Store validated photos (``validate_image_upload`` output: re-encoded, EXIF stripped).

    The cap is enforced where the photos are recorded: one transaction raises the
    model's ``photo_count`` only if the result stays within the cap and inserts the
    photos, so concurrent uploads cannot together pass it.
    """
    wanted = len(uploads)
    photos = []
    for upload in uploads:
        photo = TrainingPhoto(
            user_id=personal.user_id,
            personal_model=personal,
            filename=upload.name,
            content_type=getattr(upload, "content_type", ""),
        )
        photo.file.save(upload.name, upload, save=False)
        photos.append(photo)

    def txn() -> list[TrainingPhoto]:
        if (
            not PersonalModel.objects.live()
            .filter(pk=personal.pk, photo_count__lte=MAX_PHOTOS - wanted)
            .update(photo_count=F("photo_count") + wanted)
        ):
            have = PersonalModel.objects.live().filter(pk=personal.pk).values_list("photo_count", flat=True)
            if not have:
                raise TrainingError(_("This model was deleted."))
            raise TrainingError(
                _("You can keep at most %(most)s photos; you have %(have)s.")
                % {"most": MAX_PHOTOS, "have": have[0]}
            )
        for photo in photos:
            photo.pk = None  # a retried attempt inserts afresh
            photo.save(force_insert=True)
        return photos

    try:
        stored = run_in_transaction(txn)
    except BaseException:
        for photo in photos:
            photo.file.delete(save=False)
        raise
    for photo in stored:
        picture_variants_store(obj=photo)
    return stored


def training_photo_delete(*, photo: TrainingPhoto) -> None:
    def txn() -> None:
        # Only the request that actually removed the document gives the room back.
        deleted, _counts = TrainingPhoto.objects.filter(pk=photo.pk).delete()
        if deleted:
            PersonalModel.objects.filter(pk=photo.personal_model_id).update(photo_count=F("photo_count") - 1)

    run_in_transaction(txn)
    storage = photo.file.storage
    photo.file.delete(save=False)
    picture_variants_delete(photo.variants, storage=storage)


def training_start(*, user, personal: PersonalModel, base_model: AIModel) -> TrainingRun:
    """Train (or retrain) ``personal`` from its photos: charge, record the run, queue it.

    The model's current version stays usable until the new one succeeds; the other models
    are not touched.
    """
    if personal.user_id != user.pk:
        raise TrainingError(_("This model was deleted."))
    if not base_model.is_active or base_model.kind != Kind.TRAINING_BASE:
        raise TrainingError(_("This training base is not available."))
    count = TrainingPhoto.objects.filter(personal_model_id=personal.pk).count()
    if not MIN_PHOTOS <= count <= MAX_PHOTOS:
        raise TrainingError(
            _("Upload %(least)s–%(most)s photos first; you have %(have)s.")
            % {"least": MIN_PHOTOS, "most": MAX_PHOTOS, "have": count}
        )
    wallet_for(user)
    cost = settings.GENERATION_TRAINING_COST
    now = timezone.now()

    def txn() -> TrainingRun:
        run = TrainingRun.objects.create(
            user=user,
            personal_model=personal,
            base_model=base_model,
            model_name=personal.name,
            photo_count=count,
            provider=provider_name_for(base_model),
            credits_charged=cost,
            replicate_model_id=f"{settings.REPLICATE_OWNER}/ms-{user.pk}" if settings.REPLICATE_OWNER else "",
            deadline_at=now + timedelta(seconds=settings.GENERATION_TRAINING_DEADLINE_SECONDS),
        )
        credits_charge(
            user=user,
            amount=cost,
            idempotency_key=run.charge_key,
            description=gettext_noop("Personal model training"),  # fixed: translated when shown
            related=run,
            usage_kind=LedgerEntry.UsageKind.TRAINING,
            ai_model=base_model.name,
        )
        # A model deleted meanwhile takes no run: the whole transaction, charge included, is undone.
        if (
            not PersonalModel.objects.live()
            .filter(pk=personal.pk)
            .update(status=PersonalModel.Status.TRAINING, current_training=run, last_error="")
        ):
            raise TrainingError(_("This model was deleted."))
        run_id = str(run.pk)
        transaction.on_commit(lambda: ending.enqueue("run_training", run_id))
        return run

    try:
        return run_in_transaction(txn)
    except IntegrityError:
        # The unique index "one active run per user" refused the insert: another start
        # won, and this transaction (its charge included) never committed.
        raise TrainingError(_("A training run is already in progress.")) from None


def archive_url(name: str) -> str:
    url = default_storage.url(name)
    if url.startswith("http"):
        return url  # S3: a short-lived signed URL
    token = signing.dumps(name, salt=ARCHIVE_SALT)
    return settings.SITE_URL + reverse("generation:training_archive", args=[token])


def _build_archive(run: TrainingRun) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for photo in TrainingPhoto.objects.filter(personal_model_id=run.personal_model_id):
            with photo.file.open("rb") as handle:
                archive.writestr(photo.file.name.rsplit("/", 1)[-1], handle.read())
    return default_storage.save(
        f"private/{run.user_id}/training/run-{run.pk}.zip", ContentFile(buffer.getvalue())
    )


def training_run(run_id: Any) -> str:
    token = uuid.uuid4().hex
    if not TrainingRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
        status=RunStatus.PROCESSING, claim_token=token, last_provider_update_at=timezone.now()
    ):
        return "not-claimed"
    run = TrainingRun.objects.prefetch_related("base_model").get(pk=run_id)
    provider = get_provider(run.provider or provider_name_for(run.base_model))
    name = _build_archive(run)
    TrainingRun.objects.filter(pk=run.pk).update(photos_archive=name)
    try:
        result = provider.train(run, archive_url=archive_url(name), webhook_url=webhook_url())
    except ProviderError as exc:
        return "failed" if training_end(run, status=RunStatus.FAILED, error=str(exc)) else "noop"
    if result.training_id:
        TrainingRun.objects.filter(pk=run.pk).update(training_id=result.training_id)
        run.training_id = result.training_id
    return training_apply(run, result)


def training_apply(run: TrainingRun, result: TrainingResult) -> str:
    now = timezone.now()
    if result.status == RUNNING:
        TrainingRun.objects.filter(pk=run.pk, status__in=TrainingRun.ACTIVE).update(
            last_provider_update_at=now
        )
        return "running"
    if result.status == SUCCEEDED and result.version:
        if not TrainingRun.objects.filter(pk=run.pk, status__in=TrainingRun.ACTIVE).update(
            status=RunStatus.SUCCEEDED, version=result.version, weights=result.weights, completed_at=now
        ):
            return "noop"
        # The model this run trains (its current training since the start); a deleted one keeps no version.
        PersonalModel.objects.live().filter(current_training_id=run.pk).update(
            status=PersonalModel.Status.READY,
            version=result.version,
            weights=result.weights,
            provider_model=run.replicate_model_id or run.base_model.provider_model,
            last_error="",
        )
        _notify_owner(
            run,
            Sentence(
                gettext_noop("Your personal model “%(name)s” is trained and ready to use."),
                {"name": run.model_name},
            ),
        )
        achievement_grant(user=run.user, code=Achievement.Code.FIRST_MODEL)  # once per user (unique index)
        return "succeeded"
    status = RunStatus.CANCELED if result.status == CANCELED else RunStatus.FAILED
    if result.status == SUCCEEDED:
        result.error = "training finished without a model version"
    assert result.status in (FAILED, CANCELED, SUCCEEDED)
    return "failed" if training_end(run, status=status, error=result.error) else "noop"


def training_end(run: TrainingRun, *, status: str, error: str) -> bool:
    """Fail/cancel/expire an active run and refund it, atomically, once."""
    now = timezone.now()
    user_error = {
        # Stored in English and translated when shown (my_model.html), like a job's error.
        RunStatus.FAILED: gettext_noop("Training failed. Your credits were refunded."),
        RunStatus.CANCELED: gettext_noop("Training was canceled. Your credits were refunded."),
        RunStatus.EXPIRED: gettext_noop(
            "Training took too long and was stopped. Your credits were refunded."
        ),
    }[status]

    charge = LedgerEntry.objects.filter(
        idempotency_key=run.charge_key, entry_type=LedgerEntry.Type.USAGE
    ).first()
    refundable = abs(charge.amount) if charge is not None else 0

    def txn() -> bool:
        if not TrainingRun.objects.filter(pk=run.pk, status__in=TrainingRun.ACTIVE).update(
            status=status, error=user_error, completed_at=now, credits_refunded=refundable
        ):
            return False
        if charge is not None:
            credits_refund(
                charge_key=run.charge_key,
                idempotency_key=run.refund_key,
                reason=Sentence(_ENDED_HOW[status], {"name": run.model_name}),
            )
        # A model that had a version keeps it (ready); a first training leaves it failed.
        training = PersonalModel.objects.live().filter(current_training_id=run.pk)
        training.filter(version="").update(status=PersonalModel.Status.FAILED, last_error=user_error)
        training.filter(version__gt="").update(status=PersonalModel.Status.READY, last_error=user_error)
        _notify_owner(
            run,
            Sentence(
                _ENDED_HOW[status],
                {"name": run.model_name},
                then=ending.refunded_sentence(refundable) if refundable else None,
            ),
        )
        return True

    ended = run_in_transaction(txn)
    if ended:
        logger.info("training %s ended %s: %s", run.pk, status, error)
    return ended


_ENDED_HOW = {
    RunStatus.FAILED: gettext_noop("Training your personal model “%(name)s” failed."),
    RunStatus.CANCELED: gettext_noop("Training your personal model “%(name)s” was canceled."),
    RunStatus.EXPIRED: gettext_noop("Training your personal model “%(name)s” took too long and was stopped."),
}


def _notify_owner(run: TrainingRun, text: Sentence) -> None:
    """Called only by the write that ended the run (a conditional update on an active run);
    the key ``gen:train:<id>:ended`` keeps the notice to one."""
    notify_after_commit(
        recipient_id=run.user_id,
        kind="generation_complete",
        text=text,
        url=(
            reverse("generation:my_model", args=[run.personal_model_id])
            if run.personal_model_id
            else reverse("generation:my_models")
        ),
        key=f"gen:train:{run.pk}:ended",
    )


def training_apply_webhook(payload: dict) -> str:
    from generation.providers.replicate import training_result

    training_id = str(payload.get("id") or "")
    run = (
        TrainingRun.objects.prefetch_related("base_model").filter(training_id=training_id).first()
        if training_id
        else None
    )
    if run is None:
        return "unknown"
    return training_apply(run, training_result(payload))


def training_poll(*, now, quiet) -> int:
    polled = 0
    for run in (
        TrainingRun.objects.filter(status=RunStatus.PROCESSING, last_provider_update_at__lt=quiet)
        .exclude(training_id="")
        .prefetch_related("base_model")[:50]
    ):
        TrainingRun.objects.filter(pk=run.pk).update(last_provider_update_at=now)
        try:
            result = get_provider(run.provider or provider_name_for(run.base_model)).fetch_training(run)
        except ProviderError as exc:
            logger.warning("poll of training %s failed: %s", run.pk, exc)
            continue
        training_apply(run, result)
        polled += 1
    for run_id in TrainingRun.objects.filter(status=RunStatus.PENDING, created_at__lt=quiet).values_list(
        "pk", flat=True
    )[:50]:
        ending.enqueue("run_training", str(run_id))
    return polled


def training_sweep(*, now) -> int:
    expired = 0
    for run in TrainingRun.objects.filter(
        status__in=TrainingRun.ACTIVE, deadline_at__lt=now
    ).prefetch_related("base_model"):
        if training_end(run, status=RunStatus.EXPIRED, error="past deadline"):
            expired += 1
            with contextlib.suppress(ProviderError):
                get_provider(run.provider or provider_name_for(run.base_model)).cancel_training(run)
    return expired


@dataclass(frozen=True)
class PersonalModelLoss:
    """What deleting a personal model takes away, for the confirmation page."""

    photos: int
    has_version: bool
    credits_spent: int
    jobs: int


def personal_model_loss(*, personal: PersonalModel) -> PersonalModelLoss:
    spent = sum(
        charged - refunded
        for charged, refunded in TrainingRun.objects.filter(personal_model_id=personal.pk).values_list(
            "credits_charged", "credits_refunded"
        )
    )
    return PersonalModelLoss(
        photos=TrainingPhoto.objects.filter(personal_model_id=personal.pk).count(),
        has_version=bool(personal.version),
        credits_spent=spent,
        jobs=Job.objects.filter(personal_model_id=personal.pk, deleted_at__isnull=True).count(),
    )


def personal_model_delete(*, personal: PersonalModel) -> str:
    """Delete one model: its photos (from storage too), its archives and its provider version.

    The document stays, marked deleted and out of the name and slot indexes, so jobs made
    with it still say they used a (deleted) personal model. A model in training is refused:
    the claim below is conditional on it, and a start that commits first makes it fail.
    Says what it did.
    """
    now = timezone.now()
    if not (
        PersonalModel.objects.live()
        .filter(pk=personal.pk)
        .exclude(status=PersonalModel.Status.TRAINING)
        .update(deleted_at=now, slot=0, name_key="", status=PersonalModel.Status.NONE, current_training=None)
    ):
        if PersonalModel.objects.live().filter(pk=personal.pk).exists():
            raise TrainingError(_("This model is training. You can delete it once the training ends."))
        raise TrainingError(_("This model was already deleted."))
    # Nothing changes the version of a deleted model any more: read it now.
    personal = PersonalModel.objects.get(pk=personal.pk)
    photos = list(TrainingPhoto.objects.filter(personal_model_id=personal.pk))
    for photo in photos:
        training_photo_delete(photo=photo)
    runs = TrainingRun.objects.filter(personal_model_id=personal.pk)
    for run in runs.exclude(photos_archive=""):
        default_storage.delete(run.photos_archive)
    runs.update(photos_archive="")
    version_note = _("There was no trained model version to delete.")
    if personal.version:
        run = TrainingRun.objects.filter(personal_model_id=personal.pk, version=personal.version).first()
        provider_name = (run.provider if run else "") or settings.GENERATION_PROVIDER
        try:
            # Replicate names a trained version "owner/model:version-id".
            model, _sep, version_id = personal.version.rpartition(":")
            get_provider(provider_name).delete_version(
                model=model or personal.provider_model, version=version_id or personal.version
            )
            version_note = _("The trained model version was deleted from the provider.")
        except ProviderError as exc:
            logger.warning("deleting version %s failed: %s", personal.version, exc)
            version_note = _(
                "The provider did not confirm deleting the model version; we will not use it again."
            )
    PersonalModel.objects.filter(pk=personal.pk).update(version="", weights="", provider_model="")
    deleted = ngettext(
        "“%(name)s” is deleted. Deleted %(count)s photo from storage.",
        "“%(name)s” is deleted. Deleted %(count)s photos from storage.",
        len(photos),
    ) % {"name": personal.name, "count": len(photos)}
    return f"{deleted} {version_note}"
