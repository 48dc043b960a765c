"""Publishing one of my generations as a post carries its AI details."""

import pytest

from generation.models import Image, Job
from modelsnapper.testing.factories import AIModelFactory, fund
from social.models import Post


@pytest.fixture
def generated_image(owner_client, owner):
    AIModelFactory(slug="local-fast", name="Local fast", provider="local", credit_cost=2)
    fund(owner, 20)
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


def test_publishing_the_same_image_twice_opens_the_existing_post(owner_client, owner, generated_image):
    url = f"/social/p/new/from-image/{generated_image.pk}/"
    first = owner_client.post(url, {"caption": "once", "visibility": "public", "tags": ""})
    post = Post.objects.get(author=owner)

    second = owner_client.post(url, {"caption": "twice", "visibility": "public", "tags": ""}, follow=True)

    assert Post.objects.filter(author=owner).count() == 1
    assert first["Location"] == post.get_absolute_url()
    assert second.redirect_chain == [(post.get_absolute_url(), 302)]
    assert "already published" in second.text


def test_concurrent_publishes_of_one_image_make_one_post(owner, generated_image):
    import threading

    from django.db import connections

    from social import services

    barrier = threading.Barrier(4)
    posts = []

    def publish():
        try:
            barrier.wait()
            posts.append(services.post_publish_generation(author=owner, image=generated_image, caption="hi"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Post.objects.filter(author=owner).count() == 1
    assert {post.pk for post, _ in posts} == {Post.objects.get(author=owner).pk} and len(posts) == 4
    assert [created for _, created in posts].count(True) == 1
