"""Favourites, boards and the bulk bar (move, public/private, zip): owner-only, idempotent, no-JS."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from generation.gallery import services
from generation.models import Board, Image, Job

from ..helpers import outputs

BULK = reverse("generation:bulk")


def star_url(image):
    return reverse("generation:image_favourite", args=[image.pk])


def test_starring_without_javascript_posts_and_returns_to_the_page(client, funded, make_job):
    image = outputs(make_job(funded))[0]
    client.force_login(funded)

    response = client.post(star_url(image), {"favourite": "1", "next": "/generation/history/?view=gallery"})

    assert response.status_code == 302 and response.url == "/generation/history/?view=gallery"
    assert Image.objects.get(pk=image.pk).is_favourite
    starred = client.get(reverse("generation:favourites"))
    assert [i.pk for i in starred.context["page"].images] == [image.pk]
    # An outside address in ``next`` is not followed.
    assert client.post(star_url(image), {"favourite": "0", "next": "https://evil.example/"}).url == (
        reverse("generation:history")
    )
    assert not Image.objects.get(pk=image.pk).is_favourite


def test_starring_with_htmx_swaps_the_button_and_repeating_is_harmless(client, funded, make_job):
    image = outputs(make_job(funded))[0]
    client.force_login(funded)

    first = client.post(star_url(image), {"favourite": "1"}, HTTP_HX_REQUEST="true")
    again = client.post(star_url(image), {"favourite": "1"}, HTTP_HX_REQUEST="true")

    assert first.status_code == 200 and 'aria-pressed="true"' in first.text and "<html" not in first.text
    assert 'value="0"' in again.text  # the next click unstars
    assert services.image_favourite_toggle(user=funded, image=image, favourite=True) is False
    assert Image.objects.get(pk=image.pk).is_favourite


def test_a_stranger_cannot_star_my_image(client, funded, stranger, make_job):
    image = outputs(make_job(funded))[0]
    client.force_login(stranger)

    assert client.post(star_url(image), {"favourite": "1"}).status_code == 404
    assert services.image_favourite_toggle(user=stranger, image=image, favourite=True) is False
    assert not Image.objects.get(pk=image.pk).is_favourite


def test_boards_are_created_renamed_and_deleted_keeping_their_images(client, funded, make_job):
    images = outputs(make_job(funded, outputs=2))
    client.force_login(funded)

    created = client.post(reverse("generation:boards"), {"name": "  Moody   skies "})
    board = Board.objects.get(user=funded)
    assert (
        created.status_code == 302 and created.url == board.get_absolute_url() and board.name == "Moody skies"
    )
    duplicate = client.post(reverse("generation:boards"), {"name": "Moody skies"})
    assert duplicate.status_code == 400 and "You already have a board with that name." in duplicate.text
    assert Board.objects.count() == 1

    moved = client.post(
        BULK, {"action": "move", "board": str(board.pk), "images": [str(i.pk) for i in images]}
    )
    assert moved.status_code == 302
    page = client.get(board.get_absolute_url())
    assert {i.pk for i in page.context["page"].images} == {
        i.pk for i in images
    } and "Moody skies" in page.text

    client.post(reverse("generation:board_rename", args=[board.pk]), {"name": "Skies"})
    assert Board.objects.get(pk=board.pk).name == "Skies"

    assert "Delete board" in client.get(reverse("generation:board_delete", args=[board.pk])).text
    client.post(reverse("generation:board_delete", args=[board.pk]))
    assert not Board.objects.exists()
    assert Image.objects.filter(pk__in=[i.pk for i in images], board=None, deleted_at=None).count() == 2


def test_renaming_to_a_name_already_used_is_refused(client, funded):
    services.board_create(user=funded, name="Cats")
    dogs = services.board_create(user=funded, name="Dogs")
    client.force_login(funded)

    response = client.post(reverse("generation:board_rename", args=[dogs.pk]), {"name": "Cats"}, follow=True)

    assert "You already have a board with that name." in response.text
    assert Board.objects.get(pk=dogs.pk).name == "Dogs"


def test_a_strangers_board_is_404_and_cannot_receive_my_images(client, funded, stranger, make_job):
    theirs = services.board_create(user=stranger, name="Theirs")
    image = outputs(make_job(funded))[0]
    client.force_login(funded)

    for name in ("generation:board", "generation:board_delete"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("generation:board_rename", args=[theirs.pk]), {"name": "Mine"}).status_code == 404
    )
    client.post(BULK, {"action": "move", "board": str(theirs.pk), "images": [str(image.pk)]})
    assert Image.objects.get(pk=image.pk).board_id is None
    with pytest.raises(services.GalleryError):
        services.images_bulk_move(user=funded, image_ids=[image.pk], board=theirs)


def test_bulk_public_and_private_change_only_my_images_and_report_the_rest(
    client, funded, stranger, make_job
):
    mine = outputs(make_job(funded, outputs=2))
    theirs = outputs(make_job(stranger))[0]
    client.force_login(funded)
    ids = [str(i.pk) for i in mine] + [str(theirs.pk)]

    response = client.post(BULK, {"action": "public", "images": ids}, follow=True)

    assert Image.objects.filter(user=funded, is_public=True).count() == 2
    assert Job.objects.get(pk=mine[0].job_id).is_public  # as the image page's button does
    assert not Image.objects.get(pk=theirs.pk).is_public
    assert (
        "2 images made public." in response.text and "1 selected image could not be changed" in response.text
    )
    again = services.images_bulk_set_public(user=funded, image_ids=[i.pk for i in mine], public=False)
    assert again == services.BulkResult(changed=2, skipped=0)
    assert not Image.objects.filter(is_public=True).exists()


def test_bulk_with_nothing_selected_says_so_and_changes_nothing(client, funded, make_job):
    make_job(funded)
    client.force_login(funded)

    response = client.post(BULK, {"action": "public", "images": ["junk"]}, follow=True)

    assert "Select at least one image." in response.text
    assert not Image.objects.filter(is_public=True).exists()


def test_zip_holds_my_originals_only_streamed(client, funded, stranger, make_job):
    mine = outputs(make_job(funded, outputs=2))
    theirs = outputs(make_job(stranger))[0]
    client.force_login(funded)

    response = client.post(BULK, {"action": "download", "images": [str(i.pk) for i in [*mine, theirs]]})

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip" and "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    contents = sorted(archive.read(name) for name in archive.namelist())
    originals = sorted(image.file.open("rb").read() for image in mine)
    assert contents == originals and len(archive.namelist()) == 2


def test_zip_over_the_cap_is_refused_with_a_sentence(client, settings, funded, make_job):
    settings.GENERATION_ZIP_MAX_IMAGES = 2
    images = outputs(make_job(funded, outputs=3))
    client.force_login(funded)

    response = client.post(BULK, {"action": "download", "images": [str(i.pk) for i in images]}, follow=True)

    assert response.status_code == 200 and not getattr(response, "streaming", False)
    assert "A zip holds up to 2 images; select fewer" in response.text


def test_a_zip_of_only_strangers_images_is_refused(client, funded, stranger, make_job):
    theirs = outputs(make_job(stranger))[0]
    client.force_login(funded)

    response = client.post(BULK, {"action": "download", "images": [str(theirs.pk)]}, follow=True)

    assert "None of the selected images can be downloaded." in response.text


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_starred_and_board_pages_cost_the_same_queries_for_two_images_or_forty(client, funded, make_job):
    board = services.board_create(user=funded, name="All")
    client.force_login(funded)
    pages = [reverse("generation:favourites"), board.get_absolute_url()]

    def file_everything():
        Image.objects.filter(user=funded).update(is_favourite=True, board=board)

    make_job(funded, outputs=2)
    file_everything()
    client.get(pages[0])  # the first page of a session also loads what the session caches
    few = [_queries(client, url) for url in pages]
    for _ in range(10):
        make_job(funded, outputs=4)
    file_everything()
    many = [_queries(client, url) for url in pages]

    assert many == few
    assert client.get(pages[1]).content.decode().count('class="gal-tile"') == 40


def test_staff_see_boards_and_deleted_images_in_the_admin(client, staff, funded, make_job):
    board = services.board_create(user=funded, name="Portfolio")
    image = outputs(make_job(funded))[0]
    services.image_delete(user=funded, image=image)
    client.force_login(staff)

    assert "Portfolio" in client.get(reverse("admin:generation_board_changelist")).text
    assert client.get(reverse("admin:generation_board_change", args=[board.pk])).status_code == 200
    assert client.get(reverse("admin:generation_image_change", args=[image.pk])).status_code == 200
