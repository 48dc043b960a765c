"""Submitting through /generate/: validation, charge, limits."""

import re

import pytest
from django.urls import reverse
from PIL import Image as PILImage

from generation.models import AIModel, Image, Job
from modelsnapper.testing.money import balance, ledger_keys

GENERATE = "/generate/"


def post(client, **data):
    form = {
        "prompt": "a red fox in snow",
        "model": "local-fast",
        "aspect_ratio": "16:9",
        "quality": "standard",
        "num_outputs": "2",
        "seed": "42",
    }
    form.update(data)
    return client.post(GENERATE, form)


def test_submit_charges_runs_and_redirects_to_the_job_page(client, funded, local_model):
    client.force_login(funded)
    before = balance(funded)

    response = post(client)

    job = Job.objects.get(user=funded)
    assert response.status_code == 302
    assert response["Location"] == reverse("generation:job", args=[job.pk])
    assert job.status == Job.Status.COMPLETED
    # Two images at 2 credits each (the price is per image since issue 10, item 8).
    assert job.credits_charged == 4 and job.credits_refunded == 0
    assert balance(funded) == before - 4
    assert ledger_keys(job) == [f"gen:{job.pk}:charge"]
    images = list(Image.objects.filter(job=job).order_by("output_index"))
    assert [image.output_index for image in images] == [0, 1]
    assert all(image.file.name.startswith(f"private/{funded.pk}/") for image in images)
    assert images[0].width > images[0].height  # 16:9
    assert [event.name for event in job.events.all()] == ["submitted", "started", "completed"]
    model = AIModel.objects.get(pk=local_model.pk)
    assert model.usage_count == 1 and model.last_used_at is not None


def test_the_job_page_shows_status_charges_timeline_and_outputs(client, funded, local_model):
    client.force_login(funded)
    post(client)
    job = Job.objects.get(user=funded)

    page = client.get(job.get_absolute_url()).content.decode()
    fragment = client.get(reverse("generation:job_status", args=[job.pk])).content.decode()

    assert 'data-status="completed"' in page and "4 credits" in page and "Timeline" in page
    image = job.images.order_by("output_index").first()
    image_path = reverse("generation:image", args=[image.pk])
    assert len(re.findall(rf'<img [^>]*src="[^"]*{image_path}', page)) == 1  # shown once, large
    assert f'href="{reverse("generation:image_file", args=[image.pk])}?download=1"' in page  # and to download
    assert "hx-trigger" not in fragment  # finished jobs stop polling


def test_the_same_seed_renders_the_same_pixels(client, funded, local_model):
    client.force_login(funded)
    post(client, num_outputs="1")
    post(client, num_outputs="1")
    # Pixels, not bytes: each file carries its own signed Content Credentials (a fresh manifest id).
    first, second = (
        PILImage.open(image.file.open("rb")).tobytes()
        for image in Image.objects.filter(user=funded).order_by("pk")
    )
    assert first == second


@pytest.mark.parametrize(
    "data, message",
    [
        ({"prompt": ""}, "Describe the image you want."),
        ({"prompt": "x" * 2001}, "The prompt is 2,001 characters long; the limit is 2,000."),
        ({"num_outputs": "5"}, "Ensure this value is less than or equal to 4."),
        ({"aspect_ratio": "2:1"}, "Select a valid choice"),
        ({"steps": "500"}, "less than or equal to 50"),
        ({"model": "nope"}, "Pick a model from the list."),
    ],
)
def test_bad_input_is_a_form_error_and_charges_nothing(client, funded, local_model, data, message):
    client.force_login(funded)
    before = balance(funded)

    response = post(client, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()
    assert balance(funded) == before


def test_inactive_model_and_wrong_kind_are_refused(client, funded, local_model, edit_model):
    client.force_login(funded)
    AIModel.objects.filter(pk=local_model.pk).update(is_active=False)

    inactive = post(client)
    wrong_kind = post(client, model="local-edit")

    assert "is not available any more" in inactive.content.decode()
    assert "cannot do this kind of job" in wrong_kind.content.decode()
    assert not Job.objects.exists()


def test_insufficient_credits_says_so_with_a_buy_link_and_makes_no_job(client, owner, local_model):
    from billing.services import wallet_for

    wallet_for(owner)  # 10 free credits
    AIModel.objects.filter(pk=local_model.pk).update(credit_cost=11)
    client.force_login(owner)

    response = post(client)

    body = response.content.decode()
    assert response.status_code == 402
    assert "Not enough credits" in body and reverse("billing:pricing") in body
    assert not Job.objects.exists()
    assert balance(owner) == 10


def test_rate_limit_answers_429_without_charging(client, funded, local_model, settings):
    settings.GENERATION_RATE_LIMIT = 2
    client.force_login(funded)
    assert post(client).status_code == 302
    assert post(client).status_code == 302
    before = balance(funded)

    response = post(client)

    assert response.status_code == 429
    assert "too fast" in response.content.decode()
    assert Job.objects.count() == 2
    assert balance(funded) == before


def test_too_many_jobs_in_flight_answers_429_without_charging(client, funded, local_model, settings):
    settings.GENERATION_MAX_IN_FLIGHT = 1
    local_model.default_parameters = {"local_behaviour": "hang"}
    local_model.save()
    client.force_login(funded)
    assert post(client).status_code == 302
    before = balance(funded)

    response = post(client)

    assert response.status_code == 429
    assert "already have 1 generation running" in response.content.decode()
    assert Job.objects.count() == 1 and balance(funded) == before


def test_anonymous_people_are_sent_to_log_in(client, db):
    assert client.get(GENERATE).status_code == 302


def test_foreign_and_malformed_job_ids_are_404(client, funded, local_model, stranger):
    client.force_login(funded)
    post(client)
    job = Job.objects.get()
    client.force_login(stranger)

    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("generation:job_status", args=[job.pk])).status_code == 404
    assert client.post(reverse("generation:job_cancel", args=[job.pk])).status_code == 404
    assert client.get("/generation/jobs/not-an-id/").status_code == 404


def test_cancel_while_queued_refunds_once(client, funded, local_model):
    local_model.default_parameters = {"local_behaviour": "hang"}
    local_model.save()
    client.force_login(funded)
    before = balance(funded)
    post(client)
    job = Job.objects.get()

    client.post(reverse("generation:job_cancel", args=[job.pk]))
    client.post(reverse("generation:job_cancel", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELED and job.canceled_at
    assert job.credits_refunded == 4 and job.refund_reason == "canceled"
    assert balance(funded) == before
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]


def test_remix_prefills_the_same_parameters_and_seed(client, funded, local_model):
    client.force_login(funded)
    post(client, seed="777", style="noir")
    job = Job.objects.get()

    page = client.get(f"{GENERATE}?remix={job.pk}").content.decode()

    assert 'value="777"' in page and 'value="noir"' in page and "a red fox in snow" in page
