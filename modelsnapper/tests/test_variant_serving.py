"""Variants are served with the picture's own rules: public ones cached for good, private ones not."""

import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template

from accounts.services import user_update_profile
from generation.services import image_set_public, image_upload
from modelsnapper.images import validate_image_upload
from modelsnapper.picture_sources import picture_for
from modelsnapper.testing.media import image_upload as upload_of
from modelsnapper.testing.media import png_bytes
from modelsnapper.testing.s3 import BUCKET, moto_s3_media
from social import services as social

IMMUTABLE = "public, max-age=31536000, immutable"


def _image(user, *, public: bool, colour=(180, 40, 90)):
    image = image_upload(user=user, upload=validate_image_upload(upload_of(size=(800, 600), color=colour)))
    if public:
        image_set_public(image=image, public=True)
    image.refresh_from_db()
    return image


def _variant_url(obj, width: int = 512, role: str = "") -> str:
    url = picture_for(obj, role).url_for(width)
    assert url.split("?", 1)[0].endswith(".webp"), url
    return url


def test_a_public_image_variant_is_cached_for_a_year_and_answers_304_to_its_etag(client, owner, stranger):
    image = _image(owner, public=True)
    url = _variant_url(image)
    client.force_login(stranger)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == IMMUTABLE
    assert b"".join(response.streaming_content)[8:12] == b"WEBP"
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == IMMUTABLE


def test_a_private_image_variant_is_for_its_owner_only_and_cached_privately(client, owner, stranger):
    image = _image(owner, public=False)
    url = _variant_url(image)

    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_a_variant_url_reaches_only_that_pictures_own_variants(client, owner):
    mine, other = _image(owner, public=True), _image(owner, public=True, colour=(0, 90, 200))
    other_variant = _variant_url(other).rsplit("/", 1)[1]

    assert client.get(f"/generation/images/{mine.pk}/v/{other_variant}").status_code == 404
    assert client.get(f"/generation/images/{mine.pk}/v/nothing-512.webp").status_code == 404


def test_a_followers_only_post_variant_is_hidden_from_a_stranger(client, owner, stranger):
    post = social.post_create(
        author=owner,
        category="image-post",
        caption="",
        visibility="followers",
        media=ContentFile(png_bytes(size=(600, 600)), name="p.png"),
    )
    url = _variant_url(post)

    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")


def test_a_public_post_variant_is_cached_for_a_year(client, owner):
    post = social.post_create(
        author=owner,
        category="image-post",
        caption="",
        media=ContentFile(png_bytes(size=(600, 600)), name="p.png"),
    )

    response = client.get(_variant_url(post))

    assert response.status_code == 200
    assert response["Cache-Control"] == IMMUTABLE


def test_an_avatar_variant_is_served_from_media_with_immutable_caching(client, owner):
    user_update_profile(user=owner, data={}, avatar=validate_image_upload(upload_of(size=(400, 400))))
    owner.refresh_from_db()
    url = _variant_url(owner, 256, role="avatar")

    response = client.get(url)

    assert url.startswith("/media/")
    assert response.status_code == 200
    assert response["Cache-Control"] == IMMUTABLE
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    # The original keeps its ordinary (revalidated) caching: its name is not content-addressed.
    assert "immutable" not in client.get(owner.avatar.url)["Cache-Control"]


# --- on S3 ------------------------------------------------------------------------------------------


@pytest.fixture
def s3(settings):
    with moto_s3_media(settings) as endpoint:
        yield endpoint


def test_on_s3_variants_are_stored_in_the_bucket_and_a_public_one_is_linked_straight_at_it(s3, client, owner):
    image = _image(owner, public=True)

    html = Template('{% load pictures %}{% picture image sizes="256px" alt="" %}').render(
        Context({"image": image})
    )

    srcset = html.split('srcset="', 1)[1].split('"', 1)[0]
    urls = [part.rsplit(" ", 1)[0].replace("&amp;", "&") for part in srcset.split(", ")]
    assert len(urls) == 3
    assert all(url.startswith(f"{s3}/{BUCKET}/private/{owner.pk}/images/v/") for url in urls)
    with urllib.request.urlopen(urls[0]) as fetched:
        assert fetched.read(12)[8:12] == b"WEBP"


def test_on_s3_a_private_variant_goes_through_the_checked_view_to_a_signed_url(s3, client, owner, stranger):
    image = _image(owner, public=False)
    url = _variant_url(image)
    assert url.startswith(f"/generation/images/{image.pk}/v/")

    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 302
    assert (
        response["Location"].startswith(f"{s3}/{BUCKET}/private/")
        and "X-Amz-Signature" in response["Location"]
    )
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_on_s3_variant_objects_carry_year_long_caching_and_originals_do_not(s3, owner):
    user_update_profile(user=owner, data={}, avatar=validate_image_upload(upload_of(size=(400, 400))))
    image = _image(owner, public=True)
    owner.refresh_from_db()

    avatar_variant = urllib.request.urlopen(_variant_url(owner, 256, role="avatar"))
    image_variant = urllib.request.urlopen(_variant_url(image))
    original = urllib.request.urlopen(owner.avatar.url)

    assert avatar_variant.headers["Cache-Control"] == IMMUTABLE
    assert avatar_variant.headers["Content-Type"] == "image/webp"
    # Generations live under private/: browsers keep them a year, shared caches never.
    assert image_variant.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "immutable" not in (original.headers["Cache-Control"] or "")
