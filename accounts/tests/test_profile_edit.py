import io
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from modelsnapper.testing.factories import UserFactory
from modelsnapper.testing.media import image_upload

from .helpers import PROFILE_URL as URL
from .helpers import profile_data


def stored_files(user, folder="avatars") -> list[str]:
    return default_storage.listdir(f"{folder}/{user.pk}")[1]


def gridfs_count() -> int:
    from django.db import connections

    return connections["default"].database["media.files"].count_documents({})


def test_the_profile_page_requires_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_form_shows_the_current_profile(owner_client, owner):
    response = owner_client.get(URL)

    assert response.status_code == 200
    assert f'value="{owner.username}"' in response.content.decode()
    assert 'accept="image/jpeg,image/png,image/gif,image/webp"' in response.content.decode()


def test_saving_text_fields_updates_the_profile(owner_client, owner):
    response = owner_client.post(
        URL,
        profile_data(
            owner,
            full_name="Olive Owner",
            given_name="Olive",
            family_name="Owner",
            date_of_birth="1990-05-17",
            gender="female",
            locale="en-GB",
            bio="I make pictures.",
            website="olive.example.com",
            location="Lisbon",
            phone="+351 912 345 678",
        ),
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.full_name == "Olive Owner"
    assert owner.date_of_birth == date(1990, 5, 17)
    assert owner.age is not None
    assert owner.website == "https://olive.example.com"
    assert owner.location == "Lisbon"
    assert owner.gender == User.Gender.FEMALE


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png")])
def test_a_valid_avatar_is_stored_and_reencoded(owner_client, owner, fmt, ext):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    options = {"exif": exif.tobytes()} if fmt == "JPEG" else {}
    upload = image_upload(name=f"holiday.{ext}", fmt=fmt, **options)

    response = owner_client.post(URL, {**profile_data(owner), "avatar": upload})

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.avatar.name.startswith(f"avatars/{owner.pk}/")
    assert owner.avatar.name.endswith(f".{ext}")
    assert "holiday" not in owner.avatar.name
    assert default_storage.exists(owner.avatar.name)
    with default_storage.open(owner.avatar.name) as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == fmt
        assert dict(image.getexif()) == {}


def test_the_stored_avatar_is_served_publicly(owner_client, owner, client):
    owner_client.post(URL, {**profile_data(owner), "avatar": image_upload()})
    owner.refresh_from_db()

    response = owner_client.get(owner.avatar.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_a_cover_image_is_stored_separately(owner_client, owner):
    owner_client.post(
        URL, {**profile_data(owner), "cover_image": image_upload("wide.png", fmt="PNG", size=(300, 100))}
    )

    owner.refresh_from_db()
    assert owner.cover_image.name.startswith(f"covers/{owner.pk}/")
    assert stored_files(owner, "covers") == [owner.cover_image.name.rsplit("/", 1)[1]]


def test_a_fake_image_is_a_form_error_and_nothing_is_stored(owner_client, owner):
    before = gridfs_count()
    fake = SimpleUploadedFile("me.jpg", b"<?php echo 'not an image'; ?>", content_type="image/jpeg")

    response = owner_client.post(URL, {**profile_data(owner, full_name="Changed"), "avatar": fake})

    assert response.status_code == 200
    assert response.context["form"].errors["avatar"] == ["Upload a JPG, PNG, GIF or WEBP image."]
    assert "Upload a JPG, PNG, GIF or WEBP image." in response.content.decode()
    assert gridfs_count() == before
    owner.refresh_from_db()
    assert not owner.avatar
    assert owner.full_name != "Changed"


def test_an_oversized_upload_is_a_form_error(owner_client, owner, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    upload = image_upload(size=(400, 400), fmt="PNG", name="big.png")

    response = owner_client.post(URL, {**profile_data(owner), "avatar": upload})

    assert response.status_code == 200
    assert "the limit is 1,000 bytes" in response.context["form"].errors["avatar"][0]
    assert stored_files(owner) == []


def test_replacing_the_avatar_deletes_the_old_file(owner_client, owner):
    owner_client.post(URL, {**profile_data(owner), "avatar": image_upload("first.jpg")})
    owner.refresh_from_db()
    first = owner.avatar.name

    owner_client.post(URL, {**profile_data(owner), "avatar": image_upload("second.png", fmt="PNG")})

    owner.refresh_from_db()
    assert owner.avatar.name != first
    assert not default_storage.exists(first)
    assert stored_files(owner) == [owner.avatar.name.rsplit("/", 1)[1]]


def test_clearing_the_avatar_deletes_the_file(owner_client, owner):
    owner_client.post(URL, {**profile_data(owner), "avatar": image_upload()})
    owner.refresh_from_db()
    name = owner.avatar.name

    owner_client.post(URL, {**profile_data(owner), "remove_avatar": "on"})

    owner.refresh_from_db()
    assert not owner.avatar
    assert not default_storage.exists(name)


def test_saving_without_a_new_upload_keeps_the_avatar(owner_client, owner):
    owner_client.post(URL, {**profile_data(owner), "avatar": image_upload()})
    owner.refresh_from_db()
    name = owner.avatar.name

    owner_client.post(URL, profile_data(owner, bio="New bio"))

    owner.refresh_from_db()
    assert owner.avatar.name == name
    assert owner.bio == "New bio"
    assert default_storage.exists(name)


def test_a_taken_username_is_a_form_error(owner_client, owner, stranger):
    response = owner_client.post(URL, profile_data(owner, username="STRANGER"))

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["This username is already taken."]
    owner.refresh_from_db()
    assert owner.username == "owner"


def test_changing_the_username_moves_the_public_profile(owner_client, owner, client):
    owner_client.post(URL, profile_data(owner, username="olive"))

    assert client.get("/u/olive/").status_code == 200
    assert client.get("/u/owner/").status_code == 404


def test_a_bio_over_500_characters_is_refused(owner_client, owner):
    response = owner_client.post(URL, profile_data(owner, bio="x" * 501))

    assert response.status_code == 200
    assert response.context["form"].errors["bio"]


def test_people_only_ever_edit_their_own_profile(owner_client, owner):
    other = UserFactory(username="other")

    owner_client.post(URL, profile_data(owner, full_name="Renamed", username="owner"))

    other.refresh_from_db()
    assert other.full_name != "Renamed"


def test_a_rejected_username_is_not_shown_as_yours_on_the_error_page(owner_client, owner, stranger):
    response = owner_client.post(URL, profile_data(owner, username="stranger"))

    assert response.context["user"].username == "owner"
    assert 'href="/u/owner/"' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_of_birth", "2999-01-01"),
        ("phone", "call me maybe"),
        ("locale", "english please"),
        ("website", "javascript:alert(1)"),
    ],
)
def test_nonsense_in_a_detail_field_is_a_form_error_next_to_it(owner_client, owner, field, value):
    response = owner_client.post(URL, profile_data(owner, **{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
