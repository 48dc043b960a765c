"""The /generate/ form's model-or-avatar picker for business accounts (issue 5 item 4)."""

from accounts.models import ModelProfile
from billing.models import Wallet
from generation.marketplace.consent import consent_request_create, consent_revoke
from generation.models import Job
from modelsnapper.testing.factories import AIAvatarFactory
from modelsnapper.testing.money import balance


def post(client, ai_model, **fields):
    data = {"prompt": "Linen shirt", "model": ai_model.slug, "aspect_ratio": "1:1", "quality": "standard"}
    data["num_outputs"] = 1
    data.update(fields)
    return client.post("/generate/", data)


def test_only_business_accounts_see_the_picker(client, stranger, market_business, approved, signed_model):
    AIAvatarFactory(name="Ava")
    client.force_login(stranger)
    assert 'name="subject"' not in client.get("/generate/").text
    client.force_login(market_business)
    page = client.get("/generate/")
    profile = ModelProfile.objects.get(user_id=signed_model.pk)
    assert 'name="subject"' in page.text and 'name="category"' in page.text
    assert f"{profile.display_name} · human model" in page.text and "Ava · AI avatar" in page.text


def test_a_business_generates_with_an_approved_model_through_the_form(
    client, market_business, approved, signed_model, local_model
):
    client.force_login(market_business)
    response = post(client, local_model, subject=f"model:{signed_model.pk}", category="casual")
    assert response.status_code == 302
    job = Job.objects.get(user_id=market_business.pk)
    assert response["Location"] == job.get_absolute_url()
    assert job.model_type == "HUMAN_MODEL" and job.human_model_id == signed_model.pk
    assert job.category == "casual" and job.consent_request_id == approved.pk
    assert Job.objects.get(pk=job.pk).royalty_cents == 100
    page = client.get(job.get_absolute_url())
    assert "Human model" in page.text and f"/generation/marketplace/licenses/{job.pk}/" in page.text


def test_an_avatar_through_the_form(client, market_business, local_model):
    avatar = AIAvatarFactory(name="Ava")
    client.force_login(market_business)
    assert post(client, local_model, subject=f"avatar:{avatar.pk}", category="formal").status_code == 302
    job = Job.objects.get(user_id=market_business.pk)
    assert job.model_type == "AI_AVATAR" and job.avatar_id == avatar.pk and job.royalty_cents == 0


def refused(client, business, ai_model, sentence, **fields):
    before, jobs = balance(business), Job.objects.count()
    response = post(client, ai_model, **fields)
    assert response.status_code == 400, response.status_code
    assert sentence in response.text
    assert balance(business) == before and Job.objects.count() == jobs


def test_refusals_are_form_errors_that_cost_nothing(client, market_business, signed_model, local_model):
    client.force_login(market_business)
    model = f"model:{signed_model.pk}"
    refused(client, market_business, local_model, "has not approved your business", subject=model)
    request, _ = consent_request_create(business=market_business, model=signed_model)
    refused(client, market_business, local_model, "has not approved your business", subject=model)

    from generation.marketplace.consent import consent_approve

    consent_approve(model=signed_model, request=request)
    ModelProfile.objects.filter(user_id=signed_model.pk).update(refused_categories=["swimwear"])
    refused(client, market_business, local_model, "swimwear", subject=model, category="swimwear")
    consent_revoke(model=signed_model, request=request)
    refused(client, market_business, local_model, "revoked their consent", subject=model)
    consent_approve(model=signed_model, request=request)
    Wallet.objects.filter(user_id=market_business.pk).update(human_model_access=False)
    refused(client, market_business, local_model, "does not include human models", subject=model)


def test_nonsense_subjects_are_form_errors(client, market_business, stranger, local_model):
    client.force_login(market_business)
    for subject in ("model:nope", f"model:{stranger.pk}", "avatar:000000000000000000000000", "x:y"):
        refused(
            client, market_business, local_model, "Pick a model or an avatar from the list.", subject=subject
        )
    refused(client, market_business, local_model, "Select a valid choice", category="space-suits")


def test_the_marketplace_link_preselects_and_a_remix_keeps_the_subject(
    client, market_business, approved, signed_model, local_model
):
    client.force_login(market_business)
    subject = f"model:{signed_model.pk}"
    page = client.get(f"/generate/?subject={subject}")
    assert f'<option value="{subject}" selected>' in page.text
    post(client, local_model, subject=subject, category="casual")
    job = Job.objects.get(user_id=market_business.pk)
    remix = client.get(f"/generate/?remix={job.pk}")
    assert f'<option value="{subject}" selected>' in remix.text
    assert '<option value="casual" selected>' in remix.text


def test_the_market_links_approved_models_and_avatars_to_the_form(
    client, market_business, signed_model, local_model
):
    avatar = AIAvatarFactory(name="Ava")
    client.force_login(market_business)
    model_link = f"/generate/?subject=model:{signed_model.pk}"
    page = client.get("/generation/marketplace/")
    assert f"/generate/?subject=avatar:{avatar.pk}" in page.text and model_link not in page.text
    request, _ = consent_request_create(business=market_business, model=signed_model)
    assert model_link not in client.get("/generation/marketplace/").text  # asked, not approved yet

    from generation.marketplace.consent import consent_approve

    consent_approve(model=signed_model, request=request)
    assert model_link in client.get("/generation/marketplace/").text
