"""Human-model and avatar generation: checks at submit and at completion, revocation, royalties."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ModelProfile
from billing.models import LedgerEntry, Wallet
from billing.selectors import ledger_drifts
from generation import running, services
from generation.marketplace.consent import consent_cancel_jobs, consent_revoke
from generation.models import AIAvatar, ConsentRequest, Image, Job
from generation.providers.base import SUCCEEDED, Output, Result
from generation.services import GenerationError, job_refund_completed, job_submit
from modelsnapper.testing import seams
from modelsnapper.testing.factories import AIAvatarFactory, AIModelFactory
from modelsnapper.testing.faults import failing
from modelsnapper.testing.media import png_bytes
from modelsnapper.testing.money import balance, ledger_keys


@pytest.fixture
def hang_model(db):
    """A local model that stays processing until a result is applied by hand."""
    return AIModelFactory(
        slug="local-hang", provider="local", credit_cost=2, default_parameters={"local_behaviour": "hang"}
    )


def royalty_entries(job):
    return sorted(
        LedgerEntry.objects.filter(idempotency_key__startswith=f"royalty:{job.pk}:").values_list(
            "idempotency_key", "amount"
        )
    )


def model_royalty(model) -> int:
    wallet = Wallet.objects.filter(user_id=model.pk).first()
    return wallet.royalty_cents if wallet else 0


def late_completion():
    return Result(SUCCEEDED, "late", outputs=[Output(data=png_bytes())], provider_status="succeeded")


def submit(business, model, ai_model, **kwargs):
    kwargs.setdefault("category", "casual")
    return job_submit(
        user=business, ai_model=ai_model, prompt="Linen shirt on a beach", human_model=model, **kwargs
    )


def test_a_human_model_generation_completes_and_accrues_one_royalty(
    approved, market_business, signed_model, local_model
):
    job = submit(market_business, signed_model, local_model, category="casual")
    job.refresh_from_db()
    assert job.status == "completed" and job.model_type == "HUMAN_MODEL"
    assert (
        job.human_model_id == signed_model.pk
        and job.royalty_cents == 100
        and job.consent_request_id == approved.pk
    )
    assert Image.objects.filter(job_id=job.pk).count() == 1
    assert royalty_entries(job) == [(f"royalty:{job.pk}:accrue", 100)]
    assert model_royalty(signed_model) == 100
    assert ledger_drifts() == []


def test_royalty_accrues_once_even_when_the_completion_arrives_twice(
    approved, market_business, signed_model, hang_model
):
    job = submit(market_business, signed_model, hang_model)
    job.refresh_from_db()
    assert job.status == "processing"
    # The webhook and the poller both deliver the same success.
    assert services.apply_result(job, late_completion()) == "completed"
    assert services.apply_result(job, late_completion()) == "noop"
    assert royalty_entries(job) == [(f"royalty:{job.pk}:accrue", 100)]
    assert model_royalty(signed_model) == 100
    assert Image.objects.filter(job_id=job.pk).count() == 1
    assert ledger_drifts() == []


def test_revoke_while_processing_withholds_output_cancels_and_refunds_once(
    approved, market_business, signed_model, hang_model
):
    before = balance(market_business)
    job = submit(market_business, signed_model, hang_model)
    job.refresh_from_db()
    assert job.status == "processing" and balance(market_business) == before - 2

    consent_revoke(model=signed_model, request=approved)
    job.refresh_from_db()
    assert job.status == "canceled" and job.refund_reason == "consent_revoked"
    assert job.credits_refunded == 2 and balance(market_business) == before
    # The provider finishes afterwards: nothing is delivered, nothing refunded twice, no royalty.
    assert services.apply_result(job, late_completion()) == "noop"
    assert consent_cancel_jobs(business_id=market_business.pk, model_id=signed_model.pk) == 0
    assert Image.objects.filter(job_id=job.pk).count() == 0
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
    assert balance(market_business) == before
    assert royalty_entries(job) == []
    assert model_royalty(signed_model) == 0
    assert ledger_drifts() == []


def test_completion_rechecks_consent_and_withholds_outputs(
    approved, market_business, signed_model, hang_model
):
    """Consent withdrawn while the outputs were being stored: the finaliser re-checks and withholds."""
    before = balance(market_business)
    job = submit(market_business, signed_model, hang_model)
    ConsentRequest.objects.filter(pk=approved.pk).update(status="revoked")  # revoked mid-flight
    job.refresh_from_db()
    assert services.apply_result(job, late_completion()) == "withheld"
    job.refresh_from_db()
    assert job.status == "canceled" and job.refund_reason == "consent_revoked"
    assert Image.objects.filter(job_id=job.pk).count() == 0
    assert balance(market_business) == before
    assert services.apply_result(job, late_completion()) == "noop"
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
    assert royalty_entries(job) == []


def test_completion_rechecks_the_scope(approved, market_business, signed_model, hang_model):
    job = submit(market_business, signed_model, hang_model, category="swimwear")
    ModelProfile.objects.filter(user_id=signed_model.pk).update(refused_categories=["swimwear"])
    job.refresh_from_db()
    assert services.apply_result(job, late_completion()) == "withheld"
    assert royalty_entries(job) == []


def test_refund_after_completion_claws_the_royalty_back_once(
    approved, market_business, signed_model, local_model
):
    before = balance(market_business)
    job = submit(market_business, signed_model, local_model)
    job.refresh_from_db()
    assert job.status == "completed"
    assert job_refund_completed(job=job, reason="Refunded by staff")
    assert job_refund_completed(job=job, reason="Refunded by staff")
    assert balance(market_business) == before
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
    assert royalty_entries(job) == [(f"royalty:{job.pk}:accrue", 100), (f"royalty:{job.pk}:clawback", -100)]
    assert model_royalty(signed_model) == 0
    assert Job.objects.get(pk=job.pk).royalty_cents == 0  # the generation earns nothing now
    assert ledger_drifts() == []


def refused(business, model, ai_model, message, **kwargs):
    from billing.services import wallet_for

    wallet_for(business)
    before = balance(business)
    jobs = Job.objects.count()
    with pytest.raises(GenerationError, match=message):
        submit(business, model, ai_model, **kwargs)
    assert balance(business) == before and Job.objects.count() == jobs


def test_without_approval_a_clear_refusal_and_no_charge(market_business, signed_model, local_model):
    refused(market_business, signed_model, local_model, "has not approved your business")
    from generation.marketplace.consent import consent_request_create

    consent_request_create(business=market_business, model=signed_model)
    refused(market_business, signed_model, local_model, "has not approved your business")


def test_after_revoke_a_clear_refusal_and_no_charge(approved, market_business, signed_model, local_model):
    consent_revoke(model=signed_model, request=approved)
    refused(market_business, signed_model, local_model, "revoked their consent")


def test_refused_category_or_expired_consent_refused_without_charge(
    approved, market_business, signed_model, local_model
):
    ModelProfile.objects.filter(user_id=signed_model.pk).update(refused_categories=["lingerie"])
    refused(market_business, signed_model, local_model, "does not appear in lingerie", category="lingerie")
    ModelProfile.objects.filter(user_id=signed_model.pk).update(
        consent_expires_on=timezone.localdate() - timedelta(days=1)
    )
    refused(market_business, signed_model, local_model, "expired", category="casual")


def test_package_access_role_and_release_are_checked(
    approved, market_business, signed_model, local_model, stranger
):
    ModelProfile.objects.filter(user_id=signed_model.pk).update(consent_signed=False)
    refused(market_business, signed_model, local_model, "not signed the likeness release")
    ModelProfile.objects.filter(user_id=signed_model.pk).update(consent_signed=True)
    Wallet.objects.filter(user_id=market_business.pk).update(human_model_access=False)
    refused(market_business, signed_model, local_model, "does not include human models")
    refused(stranger, signed_model, local_model, "Only business accounts")


def test_an_avatar_needs_no_consent_and_earns_no_royalty(market_business, local_model):
    avatar = AIAvatarFactory(name="Ava")
    job = job_submit(
        user=market_business, ai_model=local_model, prompt="Coat", avatar=avatar, category="formal"
    )
    job.refresh_from_db()
    assert job.status == "completed" and job.model_type == "AI_AVATAR" and job.royalty_cents == 0
    assert royalty_entries(job) == []
    AIAvatar.objects.filter(pk=avatar.pk).update(is_active=False)
    avatar.refresh_from_db()
    before = balance(market_business)
    with pytest.raises(GenerationError, match="avatar is not available"):
        job_submit(user=market_business, ai_model=local_model, prompt="Coat", avatar=avatar)
    assert balance(market_business) == before


def test_a_model_who_deletes_the_account_withdraws_everything(
    approved, market_business, signed_model, hang_model
):
    from django.core.files.storage import default_storage

    from accounts.services import user_soft_delete
    from generation.marketplace.eligibility import listed_models

    before = balance(market_business)
    references = list(ModelProfile.objects.get(user_id=signed_model.pk).reference_images)
    job = submit(market_business, signed_model, hang_model)
    user_soft_delete(user=signed_model)
    job.refresh_from_db()
    assert job.status == "canceled" and balance(market_business) == before
    assert ConsentRequest.objects.get(pk=approved.pk).status == "revoked"
    assert listed_models() == []
    assert ModelProfile.objects.get(user_id=signed_model.pk).reference_images == []
    assert not any(default_storage.exists(name) for name in references)


def test_only_a_completed_generation_is_refunded_with_its_royalty(
    approved, market_business, signed_model, hang_model
):
    job = submit(market_business, signed_model, hang_model)
    job.refresh_from_db()
    with pytest.raises(GenerationError):
        job_refund_completed(job=job)
    assert ledger_keys(job) == [f"gen:{job.pk}:charge"]


def test_a_revocation_landing_just_after_the_finalisers_check_still_withholds(
    approved, market_business, signed_model, hang_model, monkeypatch
):
    """The narrow race: the model's revocation commits after the completion read the consent
    but before the completion commits, and before the revocation got round to canceling the
    pair's jobs. The consent request document is written by both, so the completion retries,
    sees the revocation and withholds."""
    import threading

    before = balance(market_business)
    job = submit(market_business, signed_model, hang_model)
    job.refresh_from_db()
    revoked = threading.Event()

    def revoke_once(**context):
        if not revoked.is_set():
            revoked.set()
            # Another request's revocation, committed outside this transaction; its job
            # cancellation has not run yet.
            worker = threading.Thread(
                target=lambda: ConsentRequest.objects.filter(pk=approved.pk).update(
                    status="revoked", revoked_at=timezone.now()
                )
            )
            worker.start()
            worker.join(timeout=30)
            assert not worker.is_alive()

    with seams.at("completion.consent_checked", revoke_once):
        assert services.apply_result(job, late_completion()) == "withheld"
    job.refresh_from_db()
    assert job.status == "canceled" and job.refund_reason == "consent_revoked"
    assert Image.objects.filter(job_id=job.pk).count() == 0
    assert balance(market_business) == before
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
    assert royalty_entries(job) == [] and model_royalty(signed_model) == 0
    assert ledger_drifts() == []


def test_a_delivery_stamps_the_consent_it_was_made_under(
    approved, market_business, signed_model, local_model
):
    job = submit(market_business, signed_model, local_model)
    job.refresh_from_db()
    approved.refresh_from_db()
    assert job.status == "completed" and approved.last_delivered_at is not None


def test_refunding_a_completed_generation_is_all_or_nothing(
    approved, market_business, signed_model, local_model
):
    """Credit refund and royalty clawback commit together: if the clawback fails, the business
    does not keep a refund while the model keeps the royalty; a retry then does both once."""
    from django.db import DatabaseError

    job = submit(market_business, signed_model, local_model)
    job.refresh_from_db()
    spent = balance(market_business)

    # The server fails the third insert: the clawback's ledger entry, after the refund's marker
    # and ledger entry.
    with failing("insert", skip=2), pytest.raises(DatabaseError) as failure:
        job_refund_completed(job=job, reason="Refunded by staff")
    assert "royalty_clawback" in [entry.name for entry in failure.traceback]
    assert balance(market_business) == spent
    assert ledger_keys(job) == [f"gen:{job.pk}:charge"]
    assert Job.objects.get(pk=job.pk).credits_refunded == 0

    assert job_refund_completed(job=job, reason="Refunded by staff")
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
    assert royalty_entries(job) == [(f"royalty:{job.pk}:accrue", 100), (f"royalty:{job.pk}:clawback", -100)]
    assert ledger_drifts() == []


def test_outputs_stay_hidden_until_the_completion_commits(
    approved, market_business, signed_model, hang_model, monkeypatch
):
    """Stored outputs are invisible to the business (job page, image page, file) until the
    transaction that re-checks consent completes the job."""
    from django.http import Http404

    from generation import selectors

    job = submit(market_business, signed_model, hang_model)
    job.refresh_from_db()
    seen_while_finalising = []
    stored_while_finalising = []

    def look(**context):
        """The business's view of the job's images once they are stored, before completion."""
        stored = list(Image.objects.filter(job_id=job.pk))
        stored_while_finalising.extend((image.pk, image.delivered) for image in stored)
        for image in stored:
            try:
                selectors.image_for_user(market_business, image.pk)
                seen_while_finalising.append(image.pk)
            except Http404:
                pass

    with seams.at("outputs.stored", look):
        assert services.apply_result(job, late_completion()) == "completed"
    # The look happened (one output, stored and not delivered yet) and found nothing visible.
    assert [delivered for _, delivered in stored_while_finalising] == [False]
    assert seen_while_finalising == []
    image = Image.objects.get(job_id=job.pk)
    assert image.delivered and selectors.image_for_user(market_business, image.pk) == image


def test_a_crashed_finalisers_outputs_are_discarded_when_the_job_ends_otherwise(
    approved, market_business, signed_model, hang_model
):
    """A worker died after storing outputs: when the job is then revoked (or expires), those
    never-delivered files and rows go, and nothing is shown."""
    from django.core.files.storage import default_storage

    job = submit(market_business, signed_model, hang_model)
    job.refresh_from_db()
    running.outputs_store(job, [png_bytes()], Image.Type.GENERATED, trusted=True)
    stored = Image.objects.get(job_id=job.pk)
    assert not stored.delivered and default_storage.exists(stored.file.name)

    consent_revoke(model=signed_model, request=approved)
    job.refresh_from_db()
    assert job.status == "canceled" and Image.objects.filter(job_id=job.pk).count() == 0
    assert not default_storage.exists(stored.file.name)


def test_a_human_model_job_needs_a_category_so_the_scope_is_checked(
    approved, market_business, signed_model, local_model
):
    ModelProfile.objects.filter(user_id=signed_model.pk).update(refused_categories=["swimwear"])
    refused(market_business, signed_model, local_model, "Pick the catalog category", category="")


def test_a_model_without_reference_images_cannot_be_generated_with(
    approved, market_business, signed_model, local_model
):
    """Withdrawn (references deleted) then resumed: not listed, so a crafted submission is refused."""
    ModelProfile.objects.filter(user_id=signed_model.pk).update(reference_images=[])
    refused(market_business, signed_model, local_model, "not taking work right now")


def test_a_revocation_between_the_submit_check_and_its_commit_refuses_the_submission(
    approved, market_business, signed_model, local_model, monkeypatch
):
    """The submit-time twin of the completion race: the revocation commits after the checks
    and before the submission's transaction; the submission is refused and charges nothing."""

    def revoke(**context):
        ConsentRequest.objects.filter(pk=approved.pk).update(status="revoked")

    with seams.at("submission.checked", revoke):
        refused(market_business, signed_model, local_model, "revoked their consent")


def test_completion_rechecks_package_access(approved, market_business, signed_model, hang_model):
    before = balance(market_business)
    job = submit(market_business, signed_model, hang_model)
    Wallet.objects.filter(user_id=market_business.pk).update(human_model_access=False)
    job.refresh_from_db()
    assert services.apply_result(job, late_completion()) == "withheld"
    assert balance(market_business) == before and royalty_entries(job) == []


def test_revoking_tells_the_provider_to_stop(approved, market_business, signed_model, hang_model, held_tasks):
    enqueued = held_tasks
    job = submit(market_business, signed_model, hang_model)
    Job.objects.filter(pk=job.pk).update(status="processing", provider_job_id="pred-123")
    consent_revoke(model=signed_model, request=approved)
    assert ("cancel_at_provider", str(job.pk)) in enqueued


def test_a_failed_notice_does_not_stop_a_revocation_canceling_jobs(
    approved, market_business, signed_model, hang_model
):
    from social.models import Notification

    job = submit(market_business, signed_model, hang_model)
    notices = Notification.objects.filter(recipient=market_business, kind="consent").count()

    # The server fails the second insert: the notice to the business, after the consent event.
    with failing("insert", skip=1):
        consent_revoke(model=signed_model, request=approved)
    assert Notification.objects.filter(recipient=market_business, kind="consent").count() == notices
    assert Job.objects.get(pk=job.pk).status == "canceled"


def test_withdrawing_goes_on_past_a_request_answered_meanwhile(
    approved, market_business, signed_model, hang_model, monkeypatch
):
    from django.core.files.storage import default_storage

    from generation.marketplace.onboarding import model_withdraw

    references = list(ModelProfile.objects.get(user_id=signed_model.pk).reference_images)
    job = submit(market_business, signed_model, hang_model)

    def answered_elsewhere(*, request):
        ConsentRequest.objects.filter(pk=request.pk).update(status="rejected")  # another tab

    with seams.at("withdrawal.closing", answered_elsewhere):
        assert model_withdraw(user=signed_model) == 0
    assert not any(default_storage.exists(name) for name in references)
    assert ModelProfile.objects.get(user_id=signed_model.pk).reference_images == []
    # The job's pair is no longer approved: its completion withholds it.
    job.refresh_from_db()
    assert services.apply_result(job, late_completion()) == "withheld"


def test_staff_refund_completed_generations_from_the_admin(
    client, staff, approved, market_business, signed_model, local_model, hang_model
):
    done = submit(market_business, signed_model, local_model)
    running = submit(market_business, signed_model, hang_model)
    client.force_login(staff)
    response = client.post(
        "/admin/generation/job/",
        {"action": "refund_completed", "_selected_action": [str(done.pk), str(running.pk)]},
        follow=True,
    )
    assert "1 refunded; 1 skipped (not completed)." in response.text
    assert ledger_keys(done) == [f"gen:{done.pk}:charge", f"gen:{done.pk}:refund"]
    assert royalty_entries(done) == [
        (f"royalty:{done.pk}:accrue", 100),
        (f"royalty:{done.pk}:clawback", -100),
    ]
    assert ledger_keys(running) == [f"gen:{running.pk}:charge"]


def test_the_local_provider_draws_the_models_likeness_into_the_picture(
    approved, market_business, signed_model, local_model
):
    import io

    from PIL import Image as PILImage

    job = submit(market_business, signed_model, local_model)
    image = Image.objects.get(job_id=job.pk)
    with image.file.open("rb") as handle, PILImage.open(io.BytesIO(handle.read())) as picture:
        inset = picture.convert("RGB").getpixel((40, 40))  # inside the framed reference, top left
    assert inset == (200, 30, 90)  # the colour of the fixture's reference images


def test_replicate_gets_the_references_and_other_models_are_refused(
    approved, market_business, signed_model, replicate_stub, replicate_model
):
    shoot = AIModelFactory(
        slug="rep-shoot",
        name="Catalog shoot",
        provider="replicate",
        provider_model="google/nano-banana",
        default_parameters={"reference_input_key": "image_input"},
    )
    submit(market_business, signed_model, shoot)
    sent = next(iter(replicate_stub.predictions.values()))["input"]
    assert len(sent["image_input"]) == 3 and all(
        uri.startswith("data:image/png;base64,iVBOR") for uri in sent["image_input"]
    )
    assert "reference_input_key" not in sent
    refused(market_business, signed_model, replicate_model, "cannot use a likeness")
