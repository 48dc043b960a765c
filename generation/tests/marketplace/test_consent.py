"""Model onboarding and consent requests (seed 001)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from accounts.models import ModelProfile
from generation.marketplace.consent import (
    ConsentError,
    consent_approve,
    consent_events,
    consent_reject,
    consent_request_create,
    consent_request_for_model,
    consent_request_for_party,
    consent_revoke,
)
from generation.marketplace.eligibility import listed_models
from generation.marketplace.onboarding import (
    RELEASE_VERSION,
    MarketplaceError,
    model_references_set,
    model_release_sign,
    model_scope_set,
)
from generation.models import ConsentEvent, ConsentRequest
from modelsnapper.testing.factories import ConsentRequestFactory
from modelsnapper.testing.media import reference_uploads as uploads


def test_onboarding_lists_the_model_only_once_signed_with_references(model):
    from django.core.files.storage import default_storage

    assert listed_models() == []
    with pytest.raises(ValidationError):
        model_references_set(user=model, uploads=uploads(2))
    with pytest.raises(ValidationError):
        model_references_set(user=model, uploads=uploads(5))
    bad = [*uploads(2), SimpleUploadedFile("x.png", b"not an image", content_type="image/png")]
    with pytest.raises(ValidationError):
        model_references_set(user=model, uploads=bad)
    profile = model_references_set(user=model, uploads=uploads(4))
    assert len(profile.reference_images) == 4
    assert all(name.startswith(f"private/{model.pk}/likeness/") for name in profile.reference_images)
    assert all(default_storage.exists(name) for name in profile.reference_images)
    assert listed_models() == []  # not signed yet

    with pytest.raises(MarketplaceError):
        model_release_sign(user=model, version="1999-01", ip="203.0.113.9")
    profile = model_release_sign(user=model, version=RELEASE_VERSION, ip="203.0.113.9")
    assert profile.consent_signed and profile.release_version == RELEASE_VERSION
    assert profile.release_signed_at is not None and profile.release_ip == "203.0.113.9"
    assert [p.user_id for p in listed_models()] == [model.pk]

    ModelProfile.objects.filter(user_id=model.pk).update(is_active=False)
    assert listed_models() == []


def test_only_models_onboard(business):
    with pytest.raises(MarketplaceError):
        model_release_sign(user=business, version=RELEASE_VERSION, ip=None)


def test_requesting_twice_returns_the_existing_request(business, signed_model):
    first, created = consent_request_create(business=business, model=signed_model, message="Catalog shoot")
    again, created_again = consent_request_create(business=business, model=signed_model)
    assert created and not created_again and first.pk == again.pk
    assert ConsentRequest.objects.filter(business_id=business.pk).count() == 1
    assert [e.kind for e in consent_events(request=first)] == ["requested"]


def test_only_businesses_ask_and_only_models_are_asked(business, signed_model, stranger):
    with pytest.raises(ConsentError):
        consent_request_create(business=stranger, model=signed_model)
    with pytest.raises(ConsentError):
        consent_request_create(business=business, model=stranger)


def test_a_model_cannot_approve_their_own_business_account(signed_model):
    # The same person's account asking itself, made as if through a data import.
    request = ConsentRequestFactory(business=signed_model, model=signed_model)
    with pytest.raises(ConsentError):
        consent_approve(model=signed_model, request=request)
    assert ConsentRequest.objects.get(pk=request.pk).status == "requested"
    with pytest.raises(ConsentError):
        consent_request_create(business=signed_model, model=signed_model)


def test_approve_reject_revoke_only_by_that_model_with_events(business, signed_model, stranger):
    request, _ = consent_request_create(business=business, model=signed_model)
    with pytest.raises(Http404):
        consent_approve(model=stranger, request=request)
    with pytest.raises(Http404):
        consent_request_for_model(model=stranger, request_id=request.pk)
    with pytest.raises(Http404):
        consent_request_for_model(model=signed_model, request_id="not-an-id")
    with pytest.raises(Http404):
        consent_request_for_party(user=stranger, request_id=request.pk)
    assert consent_request_for_party(user=business, request_id=request.pk).pk == request.pk

    request = consent_approve(model=signed_model, request=request)
    assert request.status == "approved" and request.decided_at is not None
    assert consent_approve(model=signed_model, request=request).status == "approved"  # double click
    with pytest.raises(ConsentError):
        consent_reject(model=signed_model, request=request)
    request = consent_revoke(model=signed_model, request=request, note="changed my mind")
    assert request.status == "revoked" and request.revoked_at is not None
    model_scope_set(user=signed_model, refused_categories=["swimwear"], expires_on=None)
    kinds = [e.kind for e in ConsentEvent.objects.filter(request_id=request.pk).order_by("created", "id")]
    assert kinds == ["requested", "approved", "revoked", "scope_changed"]


def test_approval_needs_a_signed_release(business, model):
    request, _ = consent_request_create(business=business, model=model)
    with pytest.raises(ConsentError):
        consent_approve(model=model, request=request)


def test_scope_refuses_unknown_categories(signed_model):
    with pytest.raises(MarketplaceError):
        model_scope_set(user=signed_model, refused_categories=["space"], expires_on=None)


def test_approval_and_revocation_keep_both_whitelists(business, signed_model, stranger):
    """Seed 001: the business lists the approved model profiles, the model the approved businesses."""
    from accounts.models import BusinessProfile

    request, _ = consent_request_create(business=business, model=signed_model)
    model_profile = ModelProfile.objects.get(user_id=signed_model.pk)

    def whitelists():
        return (
            BusinessProfile.objects.get(user_id=business.pk).approved_models,
            ModelProfile.objects.get(user_id=signed_model.pk).approved_businesses,
        )

    assert whitelists() == ([], [])
    consent_approve(model=signed_model, request=request)
    consent_approve(model=signed_model, request=request)  # a double click adds nothing twice
    assert whitelists() == ([model_profile.pk], [business.pk])

    consent_revoke(model=signed_model, request=request)
    assert whitelists() == ([], [])
    consent_approve(model=signed_model, request=request)
    assert whitelists() == ([model_profile.pk], [business.pk])


def test_the_whitelist_backfill_migration_fills_both_sides_once(business, signed_model):
    """Consents approved before the whitelists existed get them from migration 0004."""
    import importlib

    from django.apps import apps

    from accounts.models import BusinessProfile

    backfill = importlib.import_module("generation.migrations.0004_backfill_whitelists").backfill
    request, _ = consent_request_create(business=business, model=signed_model)
    consent_approve(model=signed_model, request=request)
    BusinessProfile.objects.filter(user_id=business.pk).update(approved_models=[])
    ModelProfile.objects.filter(user_id=signed_model.pk).update(approved_businesses=[])

    backfill(apps, None)
    backfill(apps, None)
    model_profile = ModelProfile.objects.get(user_id=signed_model.pk)
    assert model_profile.approved_businesses == [business.pk]
    assert BusinessProfile.objects.get(user_id=business.pk).approved_models == [model_profile.pk]


def test_each_side_is_notified_of_requests_and_answers(business, signed_model):
    from accounts.models import BusinessProfile
    from social.models import Notification

    BusinessProfile.objects.update_or_create(user=business, defaults={"business_name": "Linen & Co"})
    ModelProfile.objects.filter(user_id=signed_model.pk).update(display_name="Fiona")
    request, _ = consent_request_create(business=business, model=signed_model)
    consent_request_create(business=business, model=signed_model)  # asking again notifies nobody
    asked = Notification.objects.get(recipient=signed_model)
    assert (asked.kind, asked.text, asked.url) == (
        "consent",
        "Linen & Co asks to make catalog images with your likeness",
        "/generation/marketplace/inbox/",
    )
    consent_approve(model=signed_model, request=request)
    consent_approve(model=signed_model, request=request)  # a double click: one notice
    consent_revoke(model=signed_model, request=request)
    answers = list(Notification.objects.filter(recipient=business).order_by("pk").values_list("text", "url"))
    url = f"/generation/marketplace/consent/{request.pk}/"
    assert answers == [
        ("Fiona approved your consent request", url),
        ("Fiona revoked your consent request", url),
    ]
