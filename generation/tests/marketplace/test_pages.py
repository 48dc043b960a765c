"""Marketplace pages: onboarding, the business list, the consent inbox, royalties."""

from accounts.models import ModelProfile
from generation.marketplace.consent import consent_request_create
from generation.marketplace.onboarding import RELEASE_VERSION
from generation.models import ConsentRequest
from generation.services import job_submit
from modelsnapper.testing.factories import AIAvatarFactory, AIModelFactory, UserFactory
from modelsnapper.testing.media import reference_uploads


def test_onboarding_page_uploads_signs_and_sets_scope(client, model):
    client.force_login(model)
    page = client.get("/generation/marketplace/onboarding/")
    assert page.status_code == 200 and RELEASE_VERSION in page.text

    too_few = client.post("/generation/marketplace/onboarding/references/", {"images": reference_uploads(2)})
    assert too_few.status_code == 400 and "errorlist" in too_few.text
    done = client.post("/generation/marketplace/onboarding/references/", {"images": reference_uploads(3)})
    assert done.status_code == 302
    signed = client.post(
        "/generation/marketplace/onboarding/release/",
        {"version": RELEASE_VERSION, "agree": "on"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert signed.status_code == 302
    scope = client.post(
        "/generation/marketplace/onboarding/scope/",
        {"refused_categories": ["swimwear", "lingerie"], "expires_on": ""},
    )
    assert scope.status_code == 302
    profile = ModelProfile.objects.get(user_id=model.pk)
    assert profile.is_listed and profile.release_ip == "198.51.100.7"
    assert profile.refused_categories == ["lingerie", "swimwear"]


def test_onboarding_is_for_models_only(client, business):
    client.force_login(business)
    assert client.get("/generation/marketplace/onboarding/").status_code == 404


def test_business_requests_model_approves_business_generates_model_sees_royalty(
    client, market_business, signed_model, local_model
):
    AIAvatarFactory(name="Ava")
    client.force_login(market_business)
    market = client.get("/generation/marketplace/")
    assert market.status_code == 200 and "Ava" in market.text and "Request consent" in market.text
    asked = client.post(f"/generation/marketplace/models/{signed_model.pk}/request/")
    again = client.post(f"/generation/marketplace/models/{signed_model.pk}/request/")
    assert asked.status_code == again.status_code == 302
    assert ConsentRequest.objects.filter(business_id=market_business.pk).count() == 1
    request = ConsentRequest.objects.get(business_id=market_business.pk)
    assert again["Location"] == f"/generation/marketplace/consent/{request.pk}/"  # the existing one

    client.force_login(signed_model)
    inbox = client.get("/generation/marketplace/inbox/")
    assert inbox.status_code == 200 and "Approve" in inbox.text
    assert client.post(f"/generation/marketplace/consent/{request.pk}/approve/").status_code == 302
    assert ConsentRequest.objects.get(pk=request.pk).status == "approved"

    job = job_submit(
        user=market_business,
        ai_model=local_model,
        prompt="Denim jacket",
        human_model=signed_model,
        category="casual",
    )
    job.refresh_from_db()
    assert job.status == "completed"
    royalties = client.get("/generation/marketplace/royalties/")
    assert royalties.status_code == 200
    assert '<p class="royalty-pending">$1.00</p>' in royalties.text
    assert f'href="/generation/marketplace/licenses/{job.pk}/"' in royalties.text
    csv = client.get("/generation/marketplace/royalties.csv")
    assert csv.status_code == 200 and csv["Content-Type"] == "text/csv"
    assert f"Royalty,{job.pk},100,100" in csv.content.decode()  # the kind as a word (billing.exports)


def test_someone_elses_consent_request_is_a_404(client, market_business, signed_model, stranger):
    request, _ = consent_request_create(business=market_business, model=signed_model)
    client.force_login(stranger)
    assert client.post(f"/generation/marketplace/consent/{request.pk}/approve/").status_code == 404
    assert client.post("/generation/marketplace/consent/nonsense/approve/").status_code == 404
    client.force_login(signed_model)
    assert client.post(f"/generation/marketplace/consent/{request.pk}/explode/").status_code == 404
    assert ConsentRequest.objects.get(pk=request.pk).status == "requested"
    client.force_login(market_business)  # asking a nonsense id, or someone who is not a model
    assert client.post("/generation/marketplace/models/nonsense/request/").status_code == 404
    assert client.post(f"/generation/marketplace/models/{stranger.pk}/request/").status_code == 404


def test_both_sides_read_the_consent_history_and_nobody_else(
    client, approved, market_business, signed_model, stranger
):
    url = f"/generation/marketplace/consent/{approved.pk}/"
    for person in (market_business, signed_model):
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200 and "Requested" in page.text and "Approved" in page.text
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.get("/generation/marketplace/consent/nonsense/").status_code == 404


def test_license_record_page_and_json_for_the_two_parties(
    client, approved, market_business, signed_model, local_model, stranger
):
    job = job_submit(
        user=market_business,
        ai_model=local_model,
        prompt="Scarf",
        human_model=signed_model,
        category="casual",
    )
    url = f"/generation/marketplace/licenses/{job.pk}/"
    client.force_login(market_business)
    page = client.get(url)
    assert page.status_code == 200 and f'href="/generation/jobs/{job.pk}/"' in page.text
    download = client.get(url + "?format=json")
    assert download["Content-Disposition"] == f'attachment; filename="license-{job.pk}.json"'
    record = download.json()
    assert record["job_id"] == str(job.pk) and record["model_id"] == str(signed_model.pk)
    assert record["business_id"] == str(market_business.pk) and record["business_name"]
    assert record["consent_request_id"] == str(approved.pk) and record["release_version"] == RELEASE_VERSION
    assert record["royalty_cents"] == 100 and record["price_credits"] == 2 and record["status"] == "completed"
    assert job.release_version == RELEASE_VERSION  # kept on the job at submission

    # A later release the model signs does not rewrite what this image was licensed under.
    ModelProfile.objects.filter(user_id=signed_model.pk).update(release_version="2027-01")
    client.force_login(signed_model)
    page = client.get(url)
    assert page.status_code == 200 and RELEASE_VERSION in page.text
    assert f'href="/generation/jobs/{job.pk}/"' not in page.text  # the job page is the business's
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.get("/generation/marketplace/licenses/not-an-id/").status_code == 404


def test_pausing_hides_the_model_cancels_images_in_the_making_and_resuming_lists_again(
    client, market_business, signed_model
):
    from generation.marketplace.consent import consent_approve, consent_refusal
    from generation.marketplace.eligibility import listed_models
    from generation.models import ConsentEvent, Job
    from modelsnapper.testing.money import balance

    request, _ = consent_request_create(business=market_business, model=signed_model)
    consent_approve(model=signed_model, request=request)
    hang = AIModelFactory(slug="local-hang", provider="local", default_parameters={"local_behaviour": "hang"})
    before = balance(market_business)
    job = job_submit(
        user=market_business, ai_model=hang, prompt="Coat", human_model=signed_model, category="casual"
    )

    client.force_login(signed_model)
    assert client.post("/generation/marketplace/onboarding/pause/").status_code == 302
    assert listed_models() == []
    assert "not taking work" in consent_refusal(business=market_business, model=signed_model)
    assert Job.objects.get(pk=job.pk).status == "canceled" and balance(market_business) == before
    assert ConsentEvent.objects.filter(request_id=request.pk, note__startswith="Paused").count() == 1
    assert "Resume my listing" in client.get("/generation/marketplace/onboarding/").text

    assert client.post("/generation/marketplace/onboarding/resume/").status_code == 302
    assert [p.user_id for p in listed_models()] == [signed_model.pk]
    assert consent_refusal(business=market_business, model=signed_model) == ""


def test_leaving_the_marketplace_asks_first_then_revokes_everything(client, market_business, signed_model):
    from django.core.files.storage import default_storage

    from generation.marketplace.consent import consent_approve

    request, _ = consent_request_create(business=market_business, model=signed_model)
    consent_approve(model=signed_model, request=request)
    references = list(ModelProfile.objects.get(user_id=signed_model.pk).reference_images)
    client.force_login(signed_model)
    confirm = client.get("/generation/marketplace/withdraw/")
    assert confirm.status_code == 200 and "your 1 open or approved consent is closed" in confirm.text
    assert ConsentRequest.objects.get(pk=request.pk).status == "approved"  # nothing happens on GET

    assert client.post("/generation/marketplace/withdraw/").status_code == 302
    profile = ModelProfile.objects.get(user_id=signed_model.pk)
    assert ConsentRequest.objects.get(pk=request.pk).status == "revoked"
    assert profile.reference_images == [] and not profile.is_listed
    assert not any(default_storage.exists(name) for name in references)
    client.force_login(market_business)
    assert client.get("/generation/marketplace/withdraw/").status_code == 404  # models only


def test_revoking_from_the_inbox_asks_first_and_says_what_it_stops(client, market_business, signed_model):
    from accounts.models import BusinessProfile
    from generation.marketplace.consent import consent_approve
    from generation.models import Job

    request, _ = consent_request_create(business=market_business, model=signed_model)
    consent_approve(model=signed_model, request=request)
    BusinessProfile.objects.filter(user_id=market_business.pk).update(business_name="Linen & Co")
    hang = AIModelFactory(slug="local-hang", provider="local", default_parameters={"local_behaviour": "hang"})
    job = job_submit(
        user=market_business, ai_model=hang, prompt="Coat", human_model=signed_model, category="casual"
    )

    client.force_login(signed_model)
    inbox = client.get("/generation/marketplace/inbox/")
    revoke_url = f"/generation/marketplace/consent/{request.pk}/revoke/"
    assert "Linen &amp; Co" in inbox.text and f'href="{revoke_url}"' in inbox.text
    confirm = client.get(revoke_url)
    assert confirm.status_code == 200 and "Revoke consent for Linen &amp; Co?" in confirm.text
    assert "1 image is being made right now" in confirm.text
    assert ConsentRequest.objects.get(pk=request.pk).status == "approved"  # a GET changes nothing
    assert client.get(f"/generation/marketplace/consent/{request.pk}/approve/").status_code == 404

    assert client.post(revoke_url).status_code == 302
    assert ConsentRequest.objects.get(pk=request.pk).status == "revoked"
    assert Job.objects.get(pk=job.pk).status == "canceled"
    client.force_login(market_business)
    assert client.get(revoke_url).status_code == 404  # only the model revokes


def test_the_inbox_filters_by_status_and_pages(client, signed_model):
    from modelsnapper.testing.people import with_role

    for n in range(22):
        business = with_role(UserFactory(username=f"shop{n}"), "business")
        consent_request_create(business=business, model=signed_model)
    first = ConsentRequest.objects.filter(model_id=signed_model.pk).order_by("requested_at").first()
    ConsentRequest.objects.filter(pk=first.pk).update(status="rejected")

    client.force_login(signed_model)
    page_one = client.get("/generation/marketplace/inbox/")
    assert page_one.text.count("asked ") == 20 and 'href="?page=2"' in page_one.text
    assert client.get("/generation/marketplace/inbox/?page=2").text.count("asked ") == 2
    rejected = client.get("/generation/marketplace/inbox/?status=rejected")
    assert rejected.text.count("asked ") == 1
    nonsense = client.get("/generation/marketplace/inbox/?status=bogus")
    assert (
        nonsense.status_code == 200 and "errorlist" in nonsense.text and nonsense.text.count("asked ") == 20
    )


def test_the_royalty_statement_pages_older_entries(client, signed_model):
    from billing.services import royalty_accrue, wallet_for

    wallet_for(signed_model)
    for n in range(27):
        royalty_accrue(job_id=f"job{n:02d}", model_user=signed_model, amount_cents=100)
    client.force_login(signed_model)
    first = client.get("/generation/marketplace/royalties/")
    assert first.text.count("Royalty for a catalog image") == 25
    assert "/licenses/job26/" in first.text and "/licenses/job01/" not in first.text
    older = first.context["older"]
    second = client.get(f"/generation/marketplace/royalties/?before={older}")
    assert second.text.count("Royalty for a catalog image") == 2 and "/licenses/job00/" in second.text
    assert client.get("/generation/marketplace/royalties/?before=nope").status_code == 404
    csv = client.get("/generation/marketplace/royalties.csv").content.decode()
    assert csv.count("\n") == 28  # the header and every entry, not one page
