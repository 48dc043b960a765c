"""Malformed parameters and missing files answer 404, never 500."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from modelsnapper.testing.media import png_file
from social import services


@pytest.mark.parametrize("cursor", ["²", "٣", "-1", "1e3", "x", "99999999999999999999"])
def test_a_malformed_trending_cursor_is_a_404(client, make_post, cursor):
    make_post()

    response = client.get(reverse("social:trending"), {"cursor": cursor})

    assert response.status_code == 404


def test_a_valid_trending_cursor_still_pages(client, make_post):
    make_post(caption="on the first page")

    assert client.get(reverse("social:trending"), {"cursor": "0"}).status_code == 200
    assert client.get(reverse("social:trending"), {"cursor": "20"}).status_code == 200


def test_a_story_whose_file_is_missing_is_a_404_like_a_post(client, owner):
    story = services.story_create(author=owner, kind="image", media=png_file())
    post = services.post_create(author=owner, category="image-post", caption="", media=png_file())
    default_storage.delete(story.media.name)
    default_storage.delete(post.media.name)
    client.force_login(owner)

    assert client.get(reverse("social:post_media", args=[post.pk])).status_code == 404
    assert client.get(reverse("social:story_media", args=[story.pk])).status_code == 404
