"""The lightbox: a post's or a generated image's picture large, with how it was made in words
and one-click actions, only for those who may see it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from modelsnapper.testing.factories.generation import AIModelFactory, JobFactory
from modelsnapper.testing.html import parse
from modelsnapper.testing.media import png_file, video_file
from social import services
from social.models import Post

HX = {"HTTP_HX_REQUEST": "true"}
OBJECT_ID = re.compile(r"\b[0-9a-f]{24}\b")


@pytest.fixture
def job(owner):
    """The owner's finished text-to-image job on "Flux Schnell (fast)", with its one output."""
    return JobFactory(
        user=owner,
        ai_model=AIModelFactory(name="Flux Schnell (fast)", slug="flux-schnell"),
        prompt="a lighthouse at dusk, volumetric light",
        seed=4242,
        aspect_ratio="16:9",
        quality="hd",
        steps=28,
        guidance=3.5,
        outputs=1,
    )


@pytest.fixture
def image(job):
    return job.images.get()


def _publish(job, image, **kwargs) -> Post:
    """A post as publishing the image makes it (its own copy and the job's AI details)."""
    kwargs.setdefault("visibility", "public")
    return services.post_create(
        author=job.user,
        category="image-post",
        caption="",
        media=png_file(),
        ai_details={
            "model": job.ai_model.name,
            "prompt": job.prompt,
            "parameters": job.parameters,
            "cost": 2,
            "seed": str(job.seed),
            "generation_id": str(job.pk),
        },
        source_image=str(image.pk),
        **kwargs,
    )


def _facts(panel) -> dict[str, str]:
    return {
        div.find("dt").text: div.find("dd").text for div in panel.find("dl", "lightbox-facts").find_all("div")
    }


def _actions(panel) -> dict[str, str]:
    return {a.text: a.attrs["href"] for a in panel.find("ul", "lightbox-actions").find_all("a")}


def _query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert parts.path == reverse("generate")
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def test_a_published_generation_opens_with_its_prompt_model_seed_and_parameters_in_words(
    client, friend, job, image
):
    post = _publish(job, image)
    client.force_login(friend)

    response = client.get(reverse("social:post_lightbox", args=[post.pk]), **HX)

    assert response.status_code == 200
    panel = parse(response.content.decode())
    assert panel.find("html") is None  # a fragment for the dialog, not a page
    assert _facts(panel) == {
        "Prompt": "a lighthouse at dusk, volumetric light",
        "Model": "Flux Schnell (fast)",
        "Seed": "4242",
        "Aspect ratio": "16:9 wide",
        "Quality": "HD",
        "Images": "1",
        "Steps": "28",
        "Guidance": "3.5",
    }
    text = panel.text
    assert "{" not in text and "flux-schnell" not in text and not OBJECT_ID.search(text)
    img = panel.find("img", "lightbox-media")
    assert img.attrs["alt"] == "a lighthouse at dusk, volumetric light"


def test_the_lightbox_actions_open_the_create_page_with_the_prompt_the_seed_or_the_image(
    client, owner, friend, job, image
):
    post = _publish(job, image)
    client.force_login(friend)
    actions = _actions(
        parse(client.get(reverse("social:post_lightbox", args=[post.pk]), **HX).content.decode())
    )

    assert list(actions) == ["Use prompt", "Remix", "Same seed", "Download", "Open post"]
    assert _query(actions["Use prompt"]) == {"prompt": job.prompt, "model": "flux-schnell"}
    assert _query(actions["Same seed"]) == {"prompt": job.prompt, "model": "flux-schnell", "seed": "4242"}
    assert actions["Download"] == post.media_src
    # Someone else's image is never offered as a remix source picture: their remix copies the
    # post's recipe (and earns its author coins); the author's own lightbox starts from the image.
    assert _query(actions["Remix"]) == {"remix_post": str(post.pk)}
    client.force_login(owner)
    own = _actions(parse(client.get(reverse("social:post_lightbox", args=[post.pk]), **HX).content.decode()))
    assert list(own) == ["Use prompt", "Remix", "Same seed", "Download", "Open post"]
    assert _query(own["Remix"]) == {"prompt": job.prompt, "model": "flux-schnell", "source": str(image.pk)}


def test_a_followers_only_post_opens_for_a_follower_and_is_404_for_a_stranger(
    client, friend, stranger, following, job, image
):
    post = _publish(job, image, visibility="followers")
    url = reverse("social:post_lightbox", args=[post.pk])

    client.force_login(stranger)
    assert client.get(url, **HX).status_code == 404
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url, **HX).status_code == 404
    client.force_login(friend)
    assert client.get(url, **HX).status_code == 200


def test_a_blocked_person_gets_404_for_a_public_post_and_nobody_sees_a_private_one(
    client, friend, blocked, job, image
):
    public = _publish(job, image)
    private = services.post_create(
        author=job.user, category="image-post", caption="mine", media=png_file(), visibility="private"
    )

    client.force_login(blocked)
    assert client.get(reverse("social:post_lightbox", args=[public.pk]), **HX).status_code == 404
    client.force_login(friend)
    assert client.get(reverse("social:post_lightbox", args=[private.pk]), **HX).status_code == 404
    assert client.get(reverse("social:post_lightbox", args=["not-an-id"]), **HX).status_code == 404


def test_opening_a_post_in_the_lightbox_counts_one_view_like_its_page(client, friend, job, image):
    post = _publish(job, image)
    client.force_login(friend)

    for _ in range(2):
        client.get(reverse("social:post_lightbox", args=[post.pk]), **HX)
    client.get(post.get_absolute_url())

    post.refresh_from_db()
    assert post.views_count == 1


def test_without_javascript_the_lightbox_address_is_a_whole_page(client, friend, job, image):
    post = _publish(job, image)
    client.force_login(friend)

    response = client.get(reverse("social:post_lightbox", args=[post.pk]))

    page = parse(response.content.decode())
    assert response.status_code == 200 and page.find("html") is not None
    assert page.find("h1").text == "a lighthouse at dusk, volumetric light"
    assert _facts(page)["Model"] == "Flux Schnell (fast)"
    # The same address answers a fragment or a page: caches must keep them apart.
    assert "HX-Request" in response["Vary"]


def test_my_unpublished_image_offers_publish_and_once_published_its_post(client, owner, job, image):
    client.force_login(owner)
    url = reverse("social:image_lightbox", args=[image.pk])

    actions = _actions(parse(client.get(url, **HX).content.decode()))

    assert list(actions) == [
        "Use prompt",
        "Remix",
        "Same seed",
        "Download",
        "Publish",
        "Image page",
        "Delete",
    ]
    assert actions["Delete"] == reverse("generation:image_delete", args=[image.pk])
    assert actions["Publish"] == reverse("social:post_publish_generation", args=[image.pk])
    assert actions["Download"] == reverse("generation:image_file", args=[image.pk]) + "?download=1"
    assert _query(actions["Remix"])["source"] == str(image.pk)
    post = _publish(job, image)
    actions = _actions(parse(client.get(url, **HX).content.decode()))
    assert "Publish" not in actions and actions["View post"] == post.get_absolute_url()


def test_someone_elses_image_opens_only_once_public_and_without_owner_actions(client, stranger, job, image):
    client.force_login(stranger)
    url = reverse("social:image_lightbox", args=[image.pk])
    assert client.get(url, **HX).status_code == 404

    image.is_public = True
    image.save(update_fields=["is_public"])
    panel = parse(client.get(url, **HX).content.decode())

    assert list(_actions(panel)) == ["Use prompt", "Remix", "Same seed", "Download"]
    assert _query(_actions(panel)["Remix"]) == {"remix_image": str(image.pk)}
    assert _facts(panel)["Model"] == "Flux Schnell (fast)"


def test_how_it_was_made_on_the_post_page_reads_as_labels_not_a_dict(client, friend, job, image):
    post = _publish(job, image)
    client.force_login(friend)

    page = parse(client.get(post.get_absolute_url()).content.decode())

    section = page.find("section", "ai-details")
    facts = dict(
        zip(
            [dt.text for dt in section.find_all("dt")],
            [dd.text for dd in section.find_all("dd")],
            strict=True,
        )
    )
    assert facts["Model"] == "Flux Schnell (fast)"
    assert facts["Aspect ratio"] == "16:9 wide" and facts["Seed"] == "4242" and facts["Cost"] == "2 credits"
    assert "{" not in section.text and "'" not in section.text


def test_a_video_post_opens_as_a_playable_video_and_its_tile_says_it_is_one(client, owner, friend):
    post = services.post_create(
        author=owner, category="short", caption="Waves at noon", media=video_file(), thumbnail=png_file()
    )
    client.force_login(friend)

    panel = parse(client.get(reverse("social:post_lightbox", args=[post.pk]), **HX).content.decode())

    video = panel.find("video", "lightbox-media")
    assert video.find("source").attrs["src"] == post.media_src
    assert video.attrs["aria-label"] == "Waves at noon" and video.attrs["poster"]
    tile = next(
        t for t in parse(client.get(reverse("social:explore")).content.decode()).find_all("article", "tile")
    )
    assert tile.find("span", "tile-play") is not None
    assert tile.find("a", "js-lightbox").find("img").attrs["alt"] == "Waves at noon"


def test_a_posts_title_heads_the_lightbox_and_its_whole_caption_follows(client, owner):
    long_caption = "Low tide at the harbour. " * 10
    titled = services.post_create(
        author=owner, category="image-text-post", title="Harbour", caption="Low tide.", media=png_file()
    )
    long = services.post_create(
        author=owner, category="image-text-post", caption=long_caption, media=png_file()
    )

    panel = parse(client.get(reverse("social:post_lightbox", args=[titled.pk]), **HX).content.decode())
    assert panel.find("h2").text == "Harbour" and panel.find("p", "lightbox-caption").text == "Low tide."
    panel = parse(client.get(reverse("social:post_lightbox", args=[long.pk]), **HX).content.decode())
    assert panel.find("h2").text.endswith("…")
    assert panel.find("p", "lightbox-caption").text == long_caption.strip()
