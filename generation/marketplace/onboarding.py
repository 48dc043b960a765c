"""Model onboarding (seed 001): likeness references, the release, the scope.

The release text is versioned: signing stores the version, the time and the
signer's IP address. Who is listed is decided in ``generation.marketplace.eligibility``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import ModelProfile, User
from generation.marketplace import consent
from generation.marketplace.eligibility import is_live_model
from generation.models import ConsentEvent, ConsentRequest
from modelsnapper import seams
from modelsnapper.db import run_in_transaction
from modelsnapper.images import validate_image_upload
from modelsnapper.picture_sources import likeness_variants_build, picture_variants_delete

logger = logging.getLogger(__name__)

RELEASE_VERSION = "2026-01"
RELEASE_TEXT = _(
    "I allow businesses that I approve on ModelSnapper to generate catalog images with my "
    "likeness, built from the reference images I upload, within the scope I set (the categories "
    "I refuse and the expiry date I choose). I can revoke any approval at any time: from then on "
    "no new image with my likeness is made for that business and images not yet delivered are "
    "withheld. I earn a royalty for each delivered image; a refunded image's royalty is taken back."
)
REFERENCE_MIN = 3
REFERENCE_MAX = 4
CATEGORIES = ModelProfile.Category


class MarketplaceError(Exception):
    """A rule refused the request; the message is fit to show the person."""


def model_profile_for(*, user: User) -> ModelProfile:
    """The user's model profile, created on first use (unique on user)."""
    profile = ModelProfile.objects.filter(user_id=user.pk).first()
    if profile is not None:
        return profile
    try:
        return ModelProfile.objects.create(user=user, display_name=user.display_name[:120])
    except IntegrityError:
        return ModelProfile.objects.get(user_id=user.pk)


def _require_model(user: User) -> None:
    if not is_live_model(user):
        raise MarketplaceError(gettext("Only model accounts can do this."))


def model_references_set(*, user: User, uploads: list[Any]) -> ModelProfile:
    """Replace the likeness reference images with 3–4 validated uploads.

    Raises ValidationError (per upload, fit for a form) or MarketplaceError; stores nothing then.
    """
    _require_model(user)
    if not REFERENCE_MIN <= len(uploads) <= REFERENCE_MAX:
        raise ValidationError(
            gettext("Upload %(min)s or %(max)s reference images.")
            % {"min": REFERENCE_MIN, "max": REFERENCE_MAX}
        )
    cleaned = [validate_image_upload(upload) for upload in uploads]
    profile = model_profile_for(user=user)
    names = [default_storage.save(f"private/{user.pk}/likeness/{clean.name}", clean) for clean in cleaned]
    variants = likeness_variants_build(names)
    old, old_variants = list(profile.reference_images), dict(profile.reference_variants or {})
    ModelProfile.objects.filter(pk=profile.pk).update(reference_images=names, reference_variants=variants)
    for name in old:
        default_storage.delete(name)
    for data in old_variants.values():
        picture_variants_delete(data, keep=variants.values())
    profile.reference_images, profile.reference_variants = names, variants
    return profile


def model_release_sign(*, user: User, version: str, ip: str | None) -> ModelProfile:
    """Sign the current release text. Signing an outdated version is refused."""
    _require_model(user)
    if version != RELEASE_VERSION:
        raise MarketplaceError(gettext("The release text changed; read the current one and sign again."))
    profile = model_profile_for(user=user)
    now = timezone.now()
    ModelProfile.objects.filter(pk=profile.pk).update(
        consent_signed=True, release_version=version, release_signed_at=now, release_ip=ip or None
    )
    profile.refresh_from_db()
    return profile


def model_scope_set(*, user: User, refused_categories: list[str], expires_on: date | None) -> ModelProfile:
    """Change the scope; every consent request of the model records a scope_changed event."""
    _require_model(user)
    unknown = set(refused_categories) - set(CATEGORIES.values)
    if unknown:
        raise MarketplaceError(
            gettext("Unknown categories: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    refused = sorted(set(refused_categories))
    # The note is a stored record (kept in English, like the ledger's texts) that businesses read
    # in the consent history: it names the categories as people do, not by their stored values.
    with translation.override(settings.LANGUAGE_CODE):
        names = ", ".join(str(CATEGORIES(value).label) for value in refused) or "nothing"
    return _terms_change(
        user=user,
        note=f"Refuses: {names}; expires: {expires_on or 'never'}.",
        refused_categories=refused,
        consent_expires_on=expires_on,
    )


def model_set_active(*, user: User, active: bool) -> ModelProfile:
    """Pause (hidden, no new images; images in the making are canceled and refunded) or resume."""
    _require_model(user)
    profile = _terms_change(
        user=user,
        # Fixed sentences, stored in English and translated when the history is shown.
        note=gettext_noop("Taking work again.")
        if active
        else gettext_noop("Paused: not taking work for now."),
        is_active=active,
    )
    if not active:
        approved = ConsentRequest.objects.filter(model_id=user.pk, status=ConsentRequest.Status.APPROVED)
        for business_id in approved.values_list("business_id", flat=True):
            consent.consent_cancel_jobs(business_id=business_id, model_id=user.pk)
    return profile


def _terms_change(*, user: User, note: str, **fields: Any) -> ModelProfile:
    """Change the model's terms, with a scope_changed event on each of their consent requests.

    One transaction. Touching each request also makes a delivery committing at the
    same moment conflict and re-check the new terms (generation.running.job_consent_refusal).
    """
    profile = model_profile_for(user=user)

    def txn() -> None:
        ModelProfile.objects.filter(pk=profile.pk).update(**fields)
        request_ids = list(ConsentRequest.objects.filter(model_id=user.pk).values_list("pk", flat=True))
        ConsentRequest.objects.filter(pk__in=request_ids).update(scope_changed_at=timezone.now())
        ConsentEvent.objects.bulk_create(
            [
                ConsentEvent(
                    request_id=rid, kind=ConsentEvent.Kind.SCOPE_CHANGED, actor_id=user.pk, note=note
                )
                for rid in request_ids
            ]
        )

    run_in_transaction(txn)
    profile.refresh_from_db()
    return profile


def model_withdraw(
    *, user: User, note: str = gettext_noop("The model withdrew from the marketplace.")
) -> int:
    """Leave the marketplace: listing hidden, reference images removed, every consent closed.

    Approved consents are revoked (which cancels and refunds the pairs' queued or
    running jobs), open requests declined; all stay as history. Also run when the
    account switches away from the model role. Safe to run again. Returns how many
    consent requests were closed.
    """
    profile = ModelProfile.objects.filter(user_id=user.pk).first()
    if profile is not None:
        ModelProfile.objects.filter(pk=profile.pk).update(
            is_active=False, reference_images=[], reference_variants={}
        )
    # Consents first: they stop new images and cancel the ones in the making.
    closed = 0
    close = {
        ConsentRequest.Status.APPROVED: consent.consent_revoke,
        ConsentRequest.Status.REQUESTED: consent.consent_reject,
    }
    for request in ConsentRequest.objects.filter(model_id=user.pk, status__in=list(close)):
        seams.reached("withdrawal.closing", request=request)
        try:
            close[request.status](model=user, request=request, note=note)
            closed += 1
        except consent.ConsentError:  # answered in another tab meanwhile: nothing left to close
            continue
    # Files last: a storage error must not leave a consent standing.
    for name in profile.reference_images if profile is not None else []:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("model %s: could not delete reference image %s", user.pk, name)
    for data in (profile.reference_variants or {}).values() if profile is not None else []:
        picture_variants_delete(data)
    return closed
