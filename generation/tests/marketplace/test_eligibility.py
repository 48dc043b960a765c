"""One marketplace eligibility rule (issue 10 items 11, 21 and 22).

Who is listed, who may generate with whom, and whether a job in flight may still be
delivered are the same rule; switching away from the model role leaves the
marketplace the way withdrawing does.
"""

import re
from html import unescape

import pytest

from accounts.models import ModelProfile
from billing.models import Wallet
from generation import services
from generation.marketplace.consent import ConsentError, consent_request_create, consent_revoke
from generation.marketplace.eligibility import listed_models
from generation.models import ConsentEvent, ConsentRequest, Image, Job
from generation.providers.base import SUCCEEDED, Output, Result
from generation.services import GenerationError, job_submit
from modelsnapper.testing.factories import AIAvatarFactory, AIModelFactory, UserFactory
from modelsnapper.testing.media import png_bytes
from modelsnapper.testing.money import balance
from modelsnapper.testing.people import with_role


@pytest.fixture
def hang_model(db):
    return AIModelFactory(
        slug="local-hang", provider="local", credit_cost=2, default_parameters={"local_behaviour": "hang"}
    )


@pytest.fixture
def catalog_model(db):
    """The catalog shoot: a model made to take a likeness (seed 003), after a plain one in the list."""
    return AIModelFactory(
        slug="catalog-shoot",
        name="Catalog shoot (with a model's likeness)",
        provider="local",
        credit_cost=3,
        position=3,
        default_parameters={"reference_input_key": "image_input"},
    )


GENERATE = {"prompt": "Coat", "aspect_ratio": "1:1", "quality": "standard", "num_outputs": 1}


def late_completion():
    return Result(SUCCEEDED, "late", outputs=[Output(data=png_bytes())], provider_status="succeeded")


def submit(business, model, ai_model, category="casual"):
    return job_submit(
        user=business, ai_model=ai_model, prompt="Linen shirt", human_model=model, category=category
    )


def royalty(model) -> int:
    wallet = Wallet.objects.filter(user_id=model.pk).first()
    return wallet.royalty_cents if wallet else 0


# --- item 11: one rule for listing, submission and completion ---------------------------


def test_a_model_who_switches_to_business_leaves_the_marketplace_and_their_jobs_are_refunded(
    client, approved, market_business, signed_model, hang_model
):
    before = balance(market_business)
    job = submit(market_business, signed_model, hang_model)
    assert Job.objects.get(pk=job.pk).status == "processing"

    client.force_login(signed_model)
    switched = client.post("/settings/role/", {"role": "business", "business_name": "Fiona Studio"})
    assert switched.status_code == 302

    assert listed_models() == []
    job.refresh_from_db()
    assert job.status == "canceled" and job.refund_reason == "consent_revoked"
    assert balance(market_business) == before
    # The consent is kept as history: revoked, with its events, not deleted.
    request = ConsentRequest.objects.get(pk=approved.pk)
    assert request.status == "revoked"
    kinds = list(ConsentEvent.objects.filter(request_id=request.pk).values_list("kind", flat=True))
    assert kinds[:3] == ["requested", "approved", "revoked"]
    assert ModelProfile.objects.get(user_id=signed_model.pk).reference_images == []
    # A late completion delivers nothing and accrues no royalty.
    assert services.apply_result(job, late_completion()) == "noop"
    assert royalty(signed_model) == 0


def test_an_account_that_is_no_longer_a_model_is_not_listed_nor_offered(
    client, approved, market_business, signed_model
):
    """Even before the withdrawal has run (role written, nothing else): the rule itself looks at
    the role, so the card never shows a "Request consent" that would be a 404."""
    with_role(signed_model, "business")
    assert listed_models() == []
    client.force_login(market_business)
    page = client.get("/generation/marketplace/")
    name = ModelProfile.objects.get(user_id=signed_model.pk).display_name
    assert page.status_code == 200 and name not in page.text
    assert f"/generation/marketplace/models/{signed_model.pk}/request/" not in page.text


def test_submitting_with_an_account_that_is_no_longer_a_model_is_refused_and_charges_nothing(
    approved, market_business, signed_model, hang_model
):
    with_role(signed_model, "creator")
    before, jobs = balance(market_business), Job.objects.count()
    with pytest.raises(GenerationError, match="no longer available"):
        submit(market_business, signed_model, hang_model)
    assert balance(market_business) == before and Job.objects.count() == jobs


def test_a_job_whose_model_is_no_longer_a_model_account_is_withheld_at_completion(
    approved, market_business, signed_model, hang_model
):
    before = balance(market_business)
    job = submit(market_business, signed_model, hang_model)
    with_role(signed_model, "business")  # the role written; the withdrawal not run yet
    job.refresh_from_db()
    assert services.apply_result(job, late_completion()) == "withheld"
    job.refresh_from_db()
    assert job.status == "canceled" and job.royalty_cents == 0
    assert Image.objects.filter(job_id=job.pk).count() == 0
    assert balance(market_business) == before and royalty(signed_model) == 0


def test_a_job_whose_business_is_no_longer_a_business_is_withheld_at_completion(
    approved, market_business, signed_model, hang_model
):
    before = balance(market_business)
    job = submit(market_business, signed_model, hang_model)
    with_role(market_business, "creator")
    job.refresh_from_db()
    assert services.apply_result(job, late_completion()) == "withheld"
    assert balance(market_business) == before and royalty(signed_model) == 0


def test_the_business_keeps_the_history_of_a_model_who_left_the_model_role(
    client, approved, market_business, signed_model, local_model, stranger
):
    submit(market_business, signed_model, local_model)
    with_role(signed_model, "creator")
    client.force_login(market_business)
    history = client.get(f"/generation/marketplace/history/model/{signed_model.pk}/")
    assert history.status_code == 200 and "Linen shirt" in history.text
    # Someone the business never worked with, not a model: still no such page.
    assert client.get(f"/generation/marketplace/history/model/{stranger.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["creator", "model"])
def test_a_non_business_opening_the_marketplace_is_told_why_and_how_to_become_a_business(client, owner, role):
    with_role(owner, role)
    client.force_login(owner)
    page = client.get("/generation/marketplace/")
    assert page.status_code == 200
    text = unescape(page.text)
    assert "business account" in text and 'href="/settings/role/"' in page.text
    assert "Request consent" not in text


# --- item 21: the catalog shoot, and "Generate with" links that are accepted ---------------


def test_creators_are_not_offered_the_catalog_shoot_and_cannot_be_charged_for_it(
    client, owner, local_model, catalog_model
):
    from billing.services import wallet_for

    wallet_for(owner)  # the free allowance
    client.force_login(owner)  # a creator
    page = client.get("/generate/")
    assert f'value="{local_model.slug}"' in page.text
    assert f'value="{catalog_model.slug}"' not in page.text
    before = balance(owner)
    response = client.post("/generate/", GENERATE | {"model": catalog_model.slug})
    assert response.status_code == 400 and "business account" in unescape(response.text)
    assert not Job.objects.filter(user_id=owner.pk).exists() and balance(owner) == before


def test_businesses_are_offered_the_catalog_shoot_with_somebody_in_it(client, market_business, catalog_model):
    client.force_login(market_business)
    assert f'value="{catalog_model.slug}"' in client.get("/generate/").text
    before = balance(market_business)
    nobody = client.post("/generate/", GENERATE | {"model": catalog_model.slug, "subject": ""})
    assert nobody.status_code == 400 and "pick a model or an avatar" in unescape(nobody.text)
    assert not Job.objects.filter(user_id=market_business.pk).exists()
    assert balance(market_business) == before


def _selected(page_text: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page_text, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*\sselected[\s>]', select.group(1))
    return unescape(chosen.group(1)) if chosen else ""


def test_generate_with_a_model_preselects_the_catalog_shoot_and_a_category_the_model_accepts(
    client, approved, market_business, signed_model, local_model, catalog_model
):
    """The model refuses the first category (swimwear): the link picks the next one, with the
    model made for a likeness; submitting what the form preselected is accepted."""
    ModelProfile.objects.filter(user_id=signed_model.pk).update(refused_categories=["swimwear"])
    client.force_login(market_business)
    market = client.get("/generation/marketplace/")
    link = re.search(r'href="(/generate/\?subject=model:[^"]+)"', market.text)
    assert link, market.text
    form = client.get(unescape(link.group(1)))
    chosen = {name: _selected(form.text, name) for name in ("model", "subject", "category")}
    assert chosen == {
        "model": catalog_model.slug,
        "subject": f"model:{signed_model.pk}",
        "category": "lingerie",
    }
    response = client.post(
        "/generate/",
        {**chosen, "prompt": "Linen shirt", "aspect_ratio": "1:1", "quality": "standard", "num_outputs": 1},
    )
    assert response.status_code == 302
    job = Job.objects.get(user_id=market_business.pk)
    assert (job.ai_model_id, job.category, job.human_model_id) == (
        catalog_model.pk,
        "lingerie",
        signed_model.pk,
    )


def test_generate_with_an_avatar_preselects_the_catalog_shoot(
    client, market_business, local_model, catalog_model
):
    avatar = AIAvatarFactory(name="Ava")
    client.force_login(market_business)
    market = client.get("/generation/marketplace/")
    link = re.search(r'href="(/generate/\?subject=avatar:[^"]+)"', market.text)
    assert link
    form = client.get(unescape(link.group(1)))
    assert _selected(form.text, "model") == catalog_model.slug
    assert _selected(form.text, "subject") == f"avatar:{avatar.pk}"


def test_no_generate_link_when_the_package_lacks_human_models(
    client, approved, market_business, signed_model, catalog_model
):
    Wallet.objects.filter(user_id=market_business.pk).update(human_model_access=False)
    client.force_login(market_business)
    page = client.get("/generation/marketplace/")
    assert f"/generate/?subject=model:{signed_model.pk}" not in page.text
    assert "does not include human models" in page.text


# --- item 22: revoke only what was approved; pause and leave only once listed ---------------


def test_only_an_approved_consent_can_be_revoked(client, market_business, signed_model):
    request, _ = consent_request_create(business=market_business, model=signed_model)
    with pytest.raises(ConsentError, match="not approved"):
        consent_revoke(model=signed_model, request=request)
    assert ConsentRequest.objects.get(pk=request.pk).status == "requested"

    client.force_login(signed_model)
    revoke_url = f"/generation/marketplace/consent/{request.pk}/revoke/"
    inbox = client.get("/generation/marketplace/inbox/")
    assert "Approve" in inbox.text and revoke_url not in inbox.text
    answer = client.post(revoke_url, follow=True)
    assert "not approved" in unescape(answer.text)
    assert ConsentRequest.objects.get(pk=request.pk).status == "requested"

    from generation.marketplace.consent import consent_approve

    consent_approve(model=signed_model, request=request)
    assert revoke_url in client.get("/generation/marketplace/inbox/").text


def test_onboarding_offers_pause_and_leave_only_once_listed(client, model):
    from generation.marketplace.onboarding import RELEASE_VERSION, model_references_set, model_release_sign
    from modelsnapper.testing.media import reference_uploads

    client.force_login(model)
    page = client.get("/generation/marketplace/onboarding/")
    assert "Pause my listing" not in page.text and "/generation/marketplace/withdraw/" not in page.text

    model_references_set(user=model, uploads=reference_uploads(3))
    model_release_sign(user=model, version=RELEASE_VERSION, ip=None)
    page = client.get("/generation/marketplace/onboarding/")
    assert "Pause my listing" in page.text and "/generation/marketplace/withdraw/" in page.text


def test_leaving_declines_open_requests_and_revokes_approved_ones(market_business, signed_model):
    from generation.marketplace.consent import consent_approve
    from generation.marketplace.onboarding import model_withdraw

    approved_request, _ = consent_request_create(business=market_business, model=signed_model)
    consent_approve(model=signed_model, request=approved_request)
    open_request, _ = consent_request_create(business=UserFactory(role="business"), model=signed_model)
    assert model_withdraw(user=signed_model) == 2
    assert ConsentRequest.objects.get(pk=approved_request.pk).status == "revoked"
    assert ConsentRequest.objects.get(pk=open_request.pk).status == "rejected"
