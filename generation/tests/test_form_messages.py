"""Form messages that say what happened (issue 10, item 21): one clear error, limits said, never a silent cut."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from generation.models import PROMPT_MAX, Job


def test_a_non_image_on_the_edit_page_shows_one_clear_error(client, funded, edit_model):
    client.force_login(funded)

    response = client.post(
        reverse("generation:edit"),
        {
            "prompt": "winter",
            "model": "local-edit",
            "upload": SimpleUploadedFile("notes.png", b"just text", content_type="image/png"),
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("Upload a JPG, PNG, GIF or WEBP image.") == 1
    assert "Upload an image or pick one of yours." not in body
    assert not Job.objects.exists()


def test_prompt_boxes_do_not_cut_text_silently_and_say_their_limit(client, funded, local_model, edit_model):
    client.force_login(funded)

    generate = client.get("/generate/").content.decode()
    edit = client.get(reverse("generation:edit")).content.decode()

    for page in (generate, edit):
        assert f'maxlength="{PROMPT_MAX}"' not in page
        assert f"Up to {PROMPT_MAX:,} characters." in page


def test_a_prompt_over_the_limit_is_refused_with_its_length_and_the_limit(client, funded, local_model):
    client.force_login(funded)

    response = client.post(
        "/generate/",
        {
            "prompt": "x" * 2345,
            "model": "local-fast",
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "1",
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "2,345 characters" in body and "2,000" in body
    assert "x" * 2345 in body  # the text comes back whole, to be shortened
    assert not Job.objects.exists()
