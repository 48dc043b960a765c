"""Media on S3 (moto's server mode): outputs land in the bucket; private images use signed URLs."""

import urllib.request

import pytest
from django.urls import reverse

from generation.models import Image
from modelsnapper.testing.s3 import moto_s3_media


@pytest.fixture
def s3(settings):
    with moto_s3_media(settings) as endpoint:
        yield endpoint


def _generate(client, user) -> Image:
    """One image made through the create page by ``user``."""
    client.force_login(user)
    form = {
        "prompt": "a kite",
        "model": "local-fast",
        "aspect_ratio": "1:1",
        "quality": "standard",
        "num_outputs": "1",
    }
    client.post("/generate/", form)
    return Image.objects.get()


def test_outputs_are_stored_in_s3_and_served_by_short_lived_signed_urls(
    client, funded, local_model, s3, stranger
):
    image = _generate(client, funded)

    response = client.get(reverse("generation:image_file", args=[image.pk]))

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(s3 + "/media-test/private/") and "X-Amz-Signature" in location
    assert "X-Amz-Expires=300" in location
    with urllib.request.urlopen(location) as fetched:
        assert fetched.read(8) == b"\x89PNG\r\n\x1a\n"
    client.force_login(stranger)
    assert client.get(reverse("generation:image_file", args=[image.pk])).status_code == 404


def test_pages_point_a_public_image_straight_at_s3_and_a_private_one_at_the_checked_view(
    client, funded, local_model, s3
):
    image = _generate(client, funded)
    private_page = client.get(reverse("generation:image", args=[image.pk])).content.decode()

    Image.objects.filter(pk=image.pk).update(is_public=True)
    public_page = client.get(reverse("generation:image", args=[image.pk])).content.decode()

    # Through the view that checks who asks: the file's, or one of its variants' (same rules).
    assert f'src="/generation/images/{image.pk}/' in private_page
    direct = f'src="{s3}/media-test/'
    assert direct in public_page and "X-Amz-Signature" in public_page


def test_a_public_posts_picture_links_straight_at_s3_and_a_followers_only_one_through_the_view(
    client, owner, s3
):
    from modelsnapper.testing.media import png_file
    from social import services as social_services

    public = social_services.post_create(
        author=owner, category="image-post", caption="", media=png_file("open.png")
    )
    private = social_services.post_create(
        author=owner, category="image-post", caption="", media=png_file("closed.png"), visibility="followers"
    )
    client.force_login(owner)

    public_page = client.get(public.get_absolute_url()).content.decode()
    private_page = client.get(private.get_absolute_url()).content.decode()

    assert f'src="{s3}/media-test/' in public_page
    assert f'src="/social/p/{private.pk}/' in private_page
