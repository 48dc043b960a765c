"""The create page (issue 13, items 7–9): in-place results, refusals, presets, prefill,
starting from my own picture, and job and image pages that read as words.

The page's script submits with HTMX (the ``HX-Request`` header); without it the same form
posts and redirects as before (see test_submit).
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.services import wallet_for
from generation import services
from generation.models import AIModel, Image, Job, Kind, PromptPreset
from modelsnapper.testing.factories import AIModelFactory
from modelsnapper.testing.media import png_bytes
from modelsnapper.testing.money import balance

GENERATE = "/generate/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def form(**data):
    values = {
        "prompt": "a red fox in snow",
        "model": "local-fast",
        "aspect_ratio": "16:9",
        "quality": "standard",
        "num_outputs": "2",
        "seed": "42",
    }
    values.update(data)
    return values


def visible_text(markup: str) -> str:
    """What a person reads: no scripts, styles, tags or attribute values."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


@pytest.fixture
def hanging(local_model):
    """Jobs of the local model stay in flight (the worker never finishes them)."""
    local_model.default_parameters = {"local_behaviour": "hang"}
    local_model.save()
    return local_model


@pytest.fixture
def img2img_model(db):
    """A text-to-image model that can start from a picture (it names its image input)."""
    return AIModelFactory(
        slug="local-dev",
        name="Local dev",
        provider="local",
        credit_cost=3,
        default_parameters={"image_input_key": "image"},
    )


def my_picture(user) -> Image:
    from modelsnapper.images import validate_image_upload

    upload = SimpleUploadedFile("mine.png", png_bytes((64, 48)), content_type="image/png")
    return services.image_upload(
        user=user, upload=validate_image_upload(upload), original_filename="mine.png"
    )


# --- in place ---------------------------------------------------------------------------


def test_submitting_from_the_page_script_answers_the_new_jobs_card_that_polls_its_own_status(
    client, funded, hanging
):
    client.force_login(funded)
    before = balance(funded)

    response = client.post(GENERATE, form(), **HTMX)

    job = Job.objects.get()
    body = response.content.decode()
    assert response.status_code == 201
    assert f'id="job-card-{job.pk}"' in body
    assert f'hx-get="{reverse("generation:job_status", args=[job.pk])}?card=1"' in body
    assert "a red fox in snow" in body and "<html" not in body
    # The balance on the page follows the charge (an out-of-band swap).
    assert balance(funded) == before - 4
    assert f'id="gen-credits" hx-swap-oob="true">{before - 4} credits' in body


def test_a_second_submission_from_the_page_script_makes_a_second_card(client, funded, hanging):
    client.force_login(funded)

    first = client.post(GENERATE, form(), **HTMX)
    second = client.post(GENERATE, form(prompt="a blue whale"), **HTMX)

    jobs = list(Job.objects.order_by("pk"))
    assert [first.status_code, second.status_code] == [201, 201]
    assert f'id="job-card-{jobs[0].pk}"' in first.content.decode()
    assert f'id="job-card-{jobs[1].pk}"' in second.content.decode()


def test_a_card_polls_until_its_job_is_done_and_then_shows_the_images(client, funded, local_model):
    client.force_login(funded)
    client.post(GENERATE, form(), **HTMX)
    job = Job.objects.get()

    card = client.get(reverse("generation:job_status", args=[job.pk]) + "?card=1").content.decode()

    assert job.status == Job.Status.COMPLETED
    assert f'id="job-card-{job.pk}"' in card and "hx-trigger" not in card
    for image in job.images.all():
        assert reverse("generation:image", args=[image.pk]) in card
    assert "took" in card


def test_without_the_script_the_form_still_posts_and_redirects_to_the_job(client, funded, local_model):
    client.force_login(funded)

    response = client.post(GENERATE, form())

    assert response.status_code == 302
    assert response["Location"] == Job.objects.get().get_absolute_url()


def test_the_page_shows_the_form_beside_my_latest_results(client, funded, local_model, stranger):
    client.force_login(funded)
    client.post(GENERATE, form(prompt="my lighthouse"))
    client.force_login(stranger)
    wallet_for(stranger)
    client.post(GENERATE, form(prompt="their castle", num_outputs="1"))
    client.force_login(funded)

    page = client.get(GENERATE).content.decode()

    assert 'id="gen-form"' in page and 'id="gen-results"' in page
    assert "my lighthouse" in page and "their castle" not in page


# --- refusals ---------------------------------------------------------------------------


def test_not_enough_credits_from_the_page_script_is_a_402_sentence_with_the_pricing_link(
    client, owner, local_model
):
    wallet_for(owner)  # 10 free credits
    AIModel.objects.filter(pk=local_model.pk).update(credit_cost=11)
    client.force_login(owner)

    response = client.post(GENERATE, form(num_outputs="1"), **HTMX)

    body = response.content.decode()
    assert response.status_code == 402
    assert "Not enough credits" in body and f'href="{reverse("billing:pricing")}"' in body
    assert 'role="alert"' in body and "<html" not in body
    assert not Job.objects.exists() and balance(owner) == 10


def test_too_fast_from_the_page_script_is_a_429_that_says_when_to_retry(
    client, funded, local_model, settings
):
    settings.GENERATION_RATE_LIMIT = 1
    settings.GENERATION_RATE_WINDOW = 45
    client.force_login(funded)
    assert client.post(GENERATE, form(), **HTMX).status_code == 201
    before = balance(funded)

    response = client.post(GENERATE, form(), **HTMX)

    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert "Try again in 45 seconds." in response.content.decode()
    assert Job.objects.count() == 1 and balance(funded) == before


def test_too_fast_without_the_script_is_a_429_form_error_with_retry_after(
    client, funded, local_model, settings
):
    settings.GENERATION_RATE_LIMIT = 1
    client.force_login(funded)
    client.post(GENERATE, form())
    before = balance(funded)

    response = client.post(GENERATE, form())

    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Wait a minute, then try again." in response.content.decode()
    assert 'id="gen-form"' in response.content.decode()  # the whole page, form filled in again
    assert Job.objects.count() == 1 and balance(funded) == before


def test_too_many_running_from_the_page_script_is_a_429_sentence(client, funded, hanging, settings):
    settings.GENERATION_MAX_IN_FLIGHT = 1
    client.force_login(funded)
    client.post(GENERATE, form(), **HTMX)
    before = balance(funded)

    response = client.post(GENERATE, form(), **HTMX)

    assert response.status_code == 429
    assert "already have 1 generation running" in response.content.decode()
    assert Job.objects.count() == 1 and balance(funded) == before


def test_a_form_error_from_the_page_script_replaces_the_form_with_its_errors(client, funded, local_model):
    client.force_login(funded)
    before = balance(funded)

    response = client.post(GENERATE, form(prompt=""), **HTMX)

    body = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#gen-form" and response["HX-Reswap"] == "outerHTML"
    assert body.lstrip().startswith("<form") or 'id="gen-form"' in body.split(">", 1)[0]
    assert "Describe the image you want." in body
    assert not Job.objects.exists() and balance(funded) == before


# --- presets ----------------------------------------------------------------------------


def test_active_presets_appear_as_chips_in_their_order(client, funded, local_model):
    PromptPreset.objects.create(name="Watercolor", text="soft watercolor, paper texture", position=2)
    PromptPreset.objects.create(name="Cinematic", text="cinematic lighting, 35mm film", position=1)
    PromptPreset.objects.create(name="Retired", text="old style", position=0, is_active=False)
    client.force_login(funded)

    page = client.get(GENERATE).content.decode()

    assert 'data-preset="cinematic lighting, 35mm film"' in page
    assert page.index(">Cinematic<") < page.index(">Watercolor<")
    assert "Retired" not in page


def test_staff_add_and_retire_presets_in_the_admin(client, staff):
    client.force_login(staff)

    added = client.post(
        reverse("admin:generation_promptpreset_add"),
        {"name": "Noir", "text": "black and white, high contrast", "position": "3", "is_active": "on"},
    )

    preset = PromptPreset.objects.get()
    assert added.status_code == 302 and (preset.name, preset.position, preset.is_active) == ("Noir", 3, True)
    assert client.get(reverse("admin:generation_promptpreset_changelist")).status_code == 200
    client.post(
        reverse("admin:generation_promptpreset_change", args=[preset.pk]),
        {"name": "Noir", "text": "black and white, high contrast", "position": "3"},
    )
    assert not PromptPreset.objects.get().is_active


# --- prefill ----------------------------------------------------------------------------


def test_the_page_prefills_prompt_seed_model_and_my_picture_from_the_query_string(
    client, funded, local_model, img2img_model
):
    picture = my_picture(funded)
    client.force_login(funded)

    response = client.get(
        GENERATE, {"prompt": "a fox, at dusk", "seed": "777", "model": "local-dev", "source": picture.pk}
    )

    initial = response.context["form"].initial
    page = response.content.decode()
    assert (initial["prompt"], initial["seed"], initial["model"], initial["source"]) == (
        "a fox, at dusk",
        777,
        "local-dev",
        str(picture.pk),
    )
    assert "a fox, at dusk</textarea>" in page and 'value="777"' in page
    assert f'value="{picture.pk}" checked' in page


def test_a_strangers_picture_in_the_query_string_is_ignored_and_never_shown(
    client, funded, local_model, stranger
):
    theirs = my_picture(stranger)
    client.force_login(funded)

    response = client.get(GENERATE, {"source": theirs.pk})

    assert response.status_code == 200
    assert "source" not in response.context["form"].initial
    assert str(theirs.pk) not in response.content.decode()


def test_a_bad_seed_in_the_query_string_is_ignored(client, funded, local_model):
    client.force_login(funded)

    response = client.get(GENERATE, {"seed": "-3; drop"})

    assert "seed" not in response.context["form"].initial


# --- image to image from the create page -----------------------------------------------


def test_starting_from_one_of_my_pictures_makes_an_image_to_image_job_from_it(client, funded, img2img_model):
    picture = my_picture(funded)
    client.force_login(funded)
    before = balance(funded)

    response = client.post(GENERATE, form(model="local-dev", num_outputs="1", source=str(picture.pk)))

    job = Job.objects.get()
    assert response.status_code == 302
    assert job.kind == Kind.IMAGE_TO_IMAGE and job.source_image_id == picture.pk
    assert job.status == Job.Status.COMPLETED and balance(funded) == before - 3
    output = job.images.get()
    assert output.parent_id == picture.pk and output.original_id == picture.pk


def test_uploading_a_picture_on_the_create_page_starts_from_it(client, funded, img2img_model):
    client.force_login(funded)
    upload = SimpleUploadedFile("start.png", png_bytes((40, 30)), content_type="image/png")

    response = client.post(GENERATE, {**form(model="local-dev", num_outputs="1"), "upload": upload}, **HTMX)

    job = Job.objects.get()
    source = Image.objects.get(image_type=Image.Type.UPLOADED)
    assert response.status_code == 201
    assert job.kind == Kind.IMAGE_TO_IMAGE and job.source_image_id == source.pk
    assert (source.width, source.height, source.user_id) == (40, 30, funded.pk)


def test_a_model_that_cannot_start_from_a_picture_is_refused_with_a_sentence(client, funded, local_model):
    picture = my_picture(funded)
    client.force_login(funded)
    before = balance(funded)

    response = client.post(GENERATE, form(source=str(picture.pk)))

    assert response.status_code == 400
    assert "Local fast cannot start from a picture. Pick another model." in response.content.decode()
    assert not Job.objects.exists() and balance(funded) == before


def test_a_strangers_picture_cannot_be_the_source(client, funded, img2img_model, stranger):
    theirs = my_picture(stranger)
    client.force_login(funded)
    before = balance(funded)

    response = client.post(GENERATE, form(model="local-dev", source=str(theirs.pk)), **HTMX)

    assert response.status_code == 400
    assert "Pick one of your own images." in response.content.decode()
    assert not Job.objects.exists() and balance(funded) == before


def test_a_bad_upload_on_the_create_page_is_a_form_error(client, funded, img2img_model):
    client.force_login(funded)
    upload = SimpleUploadedFile("notes.png", b"not an image", content_type="image/png")

    response = client.post(GENERATE, {**form(model="local-dev"), "upload": upload})

    assert response.status_code == 400
    assert "Upload a JPG, PNG, GIF or WEBP image." in response.content.decode()
    assert not Job.objects.exists() and not Image.objects.exists()


def test_the_create_page_offers_my_recent_pictures_to_start_from(client, funded, img2img_model, stranger):
    mine, theirs = my_picture(funded), my_picture(stranger)
    client.force_login(funded)

    page = client.get(GENERATE).content.decode()

    assert f'name="source" value="{mine.pk}"' in page and str(theirs.pk) not in page
    assert "Models that can: Local dev." in visible_text(page)


# --- job and image pages read as words ----------------------------------------------------


@pytest.fixture
def finished(client, funded, local_model):
    client.force_login(funded)
    client.post(GENERATE, form(style="noir", steps="20"))
    return Job.objects.get()


def test_the_job_page_lists_settings_as_labels_never_a_dict_or_slug(client, finished):
    text = visible_text(client.get(finished.get_absolute_url()).content.decode())

    assert "Model Local fast" in text
    assert "Aspect ratio 16:9 wide" in text and "Quality Standard" in text
    assert "Images 2" in text and "Seed 42" in text and "Steps 20" in text and "Style noir" in text
    assert re.search(r"Took \d+\.\d s", text)
    first = finished.images.order_by("output_index").first()
    assert f"Size {first.width} × {first.height}" in text
    assert "{" not in text and "local-fast" not in text and "aspect_ratio" not in text


def test_the_image_page_lists_settings_as_labels_and_offers_every_action(client, finished):
    image = finished.images.order_by("output_index").first()

    page = client.get(image.get_absolute_url()).content.decode()

    text = visible_text(page)
    assert "Model Local fast" in text and "Aspect ratio 16:9 wide" in text and "Seed 42" in text
    assert "{" not in text and "local-fast" not in text and "aspect_ratio=" not in text
    for label in (
        "Download original",
        "Use prompt",
        "Same seed",
        "Remix this image",
        "Make public",
        "Publish to feed",
    ):
        assert label in text
    assert "seed=42" in page and f"source={image.pk}" in page  # same seed, remix from this image


def test_the_edit_page_still_edits_a_picked_picture(client, funded, edit_model):
    picture = my_picture(funded)
    client.force_login(funded)

    response = client.post(
        reverse("generation:edit"),
        {"prompt": "make it winter", "model": "local-edit", "source": str(picture.pk)},
    )

    job = Job.objects.get()
    assert response.status_code == 302 and job.kind == Kind.IMAGE_EDIT and job.source_image_id == picture.pk


def test_the_catalog_seed_adds_the_style_presets_once_and_keeps_staff_edits(client, funded):
    from django.core.management import call_command

    from generation.seed import PROMPT_PRESETS

    call_command("seed_catalog", verbosity=0)
    PromptPreset.objects.filter(name="Cinematic").update(is_active=False, text="staff's own words")
    call_command("seed_catalog", verbosity=0)

    assert PromptPreset.objects.count() == len(PROMPT_PRESETS)
    cinematic = PromptPreset.objects.get(name="Cinematic")
    assert (cinematic.is_active, cinematic.text) == (False, "staff's own words")
    client.force_login(funded)
    page = client.get(GENERATE).content.decode()
    assert ">Watercolor<" in page and ">Cinematic<" not in page


def test_the_license_record_page_reads_as_words_not_ids_slugs_or_cents(
    client, approved, market_business, signed_model, local_model
):
    job = services.job_submit(
        user=market_business,
        ai_model=local_model,
        prompt="Scarf",
        human_model=signed_model,
        category="casual",
    )
    for viewer in (market_business, signed_model):
        client.force_login(viewer)

        text = visible_text(client.get(f"/generation/marketplace/licenses/{job.pk}/").content.decode())

        assert "Generation Text to image · Completed" in text
        assert "Category Casual" in text and "Royalty $1.00" in text
        assert not re.search(r"\b[0-9a-f]{24}\b", text) and "cents" not in text and "casual" not in text
