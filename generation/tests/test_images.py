"""Editing, history, the image page, public images and feed examples."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from generation.models import FeedExample, Image, Job, Kind
from generation.selectors import feed_examples
from modelsnapper.testing.money import balance

from .helpers import edit, upload


def test_editing_an_upload_makes_an_edited_image_linked_to_its_original(client, funded, edit_model):
    client.force_login(funded)
    before = balance(funded)

    response = edit(client, upload=upload())

    job = Job.objects.get()
    assert response.status_code == 302 and job.kind == Kind.IMAGE_EDIT
    assert job.status == Job.Status.COMPLETED and balance(funded) == before - 3
    source = Image.objects.get(image_type=Image.Type.UPLOADED)
    edited = Image.objects.get(image_type=Image.Type.EDITED)
    assert job.source_image_id == source.pk
    assert edited.parent_id == source.pk and edited.original_id == source.pk
    assert source.file_format == "png" and (source.width, source.height) == (64, 48)


def test_editing_again_from_a_result_keeps_the_lineage(client, funded, edit_model):
    client.force_login(funded)
    edit(client, upload=upload())
    first = Image.objects.get(image_type=Image.Type.EDITED)

    page = client.get(reverse("generation:edit") + f"?source={first.pk}")
    edit(client, source=str(first.pk), prompt="now add a fox")

    second = Image.objects.filter(image_type=Image.Type.EDITED).order_by("-pk").first()
    root = Image.objects.get(image_type=Image.Type.UPLOADED)
    assert page.status_code == 200
    assert second.parent_id == first.pk and second.original_id == root.pk
    lineage_page = client.get(second.get_absolute_url()).content.decode()
    for image in (root, first, second):
        assert reverse("generation:image", args=[image.pk]) in lineage_page


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"upload": SimpleUploadedFile("notes.png", b"just text", content_type="image/png")},
            "Upload a JPG, PNG, GIF or WEBP image.",
        ),
        ({}, "Upload an image or pick one of yours."),
        ({"upload": upload(), "prompt": ""}, "Say what to change."),
        ({"upload": upload(), "model": "local-fast"}, "cannot do this kind of job"),
    ],
)
def test_bad_edit_input_is_a_form_error_without_a_charge(
    client, funded, edit_model, local_model, data, message
):
    client.force_login(funded)
    before = balance(funded)

    response = edit(client, **data)

    assert response.status_code == 400 and message in response.content.decode()
    assert not Job.objects.exists() and balance(funded) == before


def test_editing_someone_elses_image_is_refused(client, funded, edit_model, stranger):
    client.force_login(funded)
    edit(client, upload=upload())
    mine = Image.objects.get(image_type=Image.Type.UPLOADED)
    client.force_login(stranger)

    assert client.get(reverse("generation:edit") + f"?source={mine.pk}").status_code == 404
    response = edit(client, source=str(mine.pk))
    assert "Pick one of your own images." in response.content.decode()


def _jobs(user, model, count, **fields):
    from django.utils import timezone

    now = timezone.now()
    Job.objects.bulk_create(
        [
            Job(user=user, ai_model=model, prompt=f"job {n}", seed=n, deadline_at=now, **fields)
            for n in range(count)
        ]
    )


def test_history_is_keyset_paginated_and_filtered(
    client, funded, local_model, edit_model, django_assert_max_num_queries
):
    _jobs(funded, local_model, 23, status=Job.Status.COMPLETED)
    _jobs(funded, edit_model, 2, status=Job.Status.FAILED, kind=Kind.IMAGE_EDIT)
    client.force_login(funded)

    with django_assert_max_num_queries(12):
        first = client.get(reverse("generation:history"))
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("generation:history") + f"?cursor={cursor}")
    failed = client.get(reverse("generation:history") + "?status=failed")
    edits = client.get(reverse("generation:history") + "?kind=image-edit&model=local-edit")

    assert len(first.context["page"].jobs) == 20 and cursor
    assert len(second.context["page"].jobs) == 5 and second.context["page"].next_cursor is None
    seen = [j.pk for j in first.context["page"].jobs + second.context["page"].jobs]
    assert len(set(seen)) == 25 and seen == sorted(seen, reverse=True)
    assert {j.status for j in failed.context["page"].jobs} == {"failed"}
    assert len(edits.context["page"].jobs) == 2


def test_history_shows_only_my_jobs(client, funded, local_model, stranger):
    _jobs(stranger, local_model, 3)
    client.force_login(funded)
    assert client.get(reverse("generation:history")).context["page"].jobs == []


@pytest.fixture
def generated(client, funded, local_model):
    client.force_login(funded)
    client.post(
        "/generate/",
        {
            "prompt": "a paper boat",
            "model": "local-fast",
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "1",
            "seed": "5",
        },
    )
    return Image.objects.get(image_type=Image.Type.GENERATED)


def test_the_image_page_offers_download_remix_and_parameters(client, generated):
    page = client.get(generated.get_absolute_url()).content.decode()
    download = client.get(reverse("generation:image_file", args=[generated.pk]) + "?download=1")

    assert f"?remix={generated.job_id}" in page and "seed=5" in page
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    from PIL import Image as PILImage

    assert PILImage.open(io.BytesIO(b"".join(download.streaming_content))).size == (512, 512)


def test_private_images_are_served_to_their_owner_only_until_made_public(client, generated, stranger):
    url = reverse("generation:image_file", args=[generated.pk])
    client.post(reverse("generation:image_public", args=[generated.pk]), {"public": "0"})
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.get(generated.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("generation:image_public", args=[generated.pk]), {"public": "1"}).status_code
        == 404
    )

    client.force_login(generated.user)
    client.post(reverse("generation:image_public", args=[generated.pk]), {"public": "1"})
    client.logout()

    assert client.get(url).status_code == 200
    assert Job.objects.get(pk=generated.job_id).is_public


def test_rating_a_generation(client, generated):
    client.post(reverse("generation:image_rate", args=[generated.pk]), {"rating": "4"})
    client.post(reverse("generation:image_rate", args=[generated.pk]), {"rating": "9"})
    assert Job.objects.get(pk=generated.job_id).rating == 4


def test_feed_examples_are_staff_curated_public_images(client, generated, staff):
    FeedExample.objects.create(image=generated, prompt="A paper boat", position=1)
    assert feed_examples() == []  # still private

    Image.objects.filter(pk=generated.pk).update(is_public=True)
    examples = feed_examples(limit=12)

    assert [(e.prompt, e.image_url) for e in examples] == [
        ("A paper boat", reverse("generation:image_file", args=[generated.pk]))
    ]
    client.logout()
    assert client.get(examples[0].image_url).status_code == 200


def test_the_admin_lists_jobs_models_and_feed_examples(client, generated, staff):
    client.force_login(staff)
    for name in ("job", "aimodel", "feedexample", "image", "webhookevent"):
        assert client.get(reverse(f"admin:generation_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:generation_job_change", args=[generated.job_id])).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "generate",
        "generation:edit",
        "generation:history",
        "generation:my_models",
        "generation:my_model_new",
        "generation:models",
        "generation:analytics",
    ],
)
def test_every_page_renders_for_a_signed_in_person(client, funded, local_model, edit_model, name):
    client.force_login(funded)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b"generation.css" in response.content
