"""Publishing one of my generations as a post carries its AI details."""

import pytest

from billing.services import credits_grant, wallet_for
from generation.models import Image, Job
from generation.tests.factories import AIModelFactory
from social.models import Post


@pytest.fixture
def generated_image(owner_client, owner):
    AIModelFactory(slug="local-fast", name="Local fast", provider="local", credit_cost=2)
    wallet_for(owner)
    credits_grant(user=owner, amount=20, bucket="purchased", entry_type="bonus", idempotency_key="t:fund")
    response = owner_client.post(
        "/generate/",
        {
            "prompt": "a lighthouse at dusk",
            "model": "local-fast",
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": 1,
            "seed": 42,
        },
    )
    assert response.status_code == 302, response.content[:500]
    job = Job.objects.get(user=owner)
    assert job.status == "completed"
    return Image.objects.get(job=job)


def test_publishing_a_generation_makes_a_post_with_its_ai_details(owner_client, owner, generated_image):
    page = owner_client.get(f"/generation/images/{generated_image.pk}/")
    assert f"/social/p/new/from-image/{generated_image.pk}/".encode() in page.content

    response = owner_client.post(
        f"/social/p/new/from-image/{generated_image.pk}/",
        {"caption": "Dusk #lighthouse", "visibility": "public", "tags": ""},
    )

    post = Post.objects.get(author=owner)
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    assert post.category == Post.Category.IMAGE_TEXT
    assert post.tags == ["lighthouse"]
    assert post.ai_details.model == "Local fast"
    assert post.ai_details.prompt == "a lighthouse at dusk"
    assert post.ai_details.seed == "42"
    assert post.ai_details.cost == 2
    assert post.media.name != generated_image.file.name  # the post has its own copy
    detail = owner_client.get(post.get_absolute_url())
    assert b"a lighthouse at dusk" in detail.content


def test_someone_elses_image_cannot_be_published(client, stranger, generated_image):
    client.force_login(stranger)

    assert client.get(f"/social/p/new/from-image/{generated_image.pk}/").status_code == 404
    assert (
        client.post(f"/social/p/new/from-image/{generated_image.pk}/", {"visibility": "public"}).status_code
        == 404
    )
    assert not Post.objects.exists()
