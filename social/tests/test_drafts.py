"""Drafts and archived posts (issue 14 item 3): only their author sees them, on the profile's
Drafts and Archived tabs, and publishes, restores or archives them there; counters follow exactly
once. An "Image" post is the picture alone: a caption is refused in the create and edit forms."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.urls import reverse

from modelsnapper.testing.factories import PostFactory
from modelsnapper.testing.media import png_file
from social.models import Post, Tag
from social.services.repair import counters_recount


def _profile(username: str, status: str = "") -> str:
    url = reverse("accounts:profile", kwargs={"username": username})
    return f"{url}?status={status}" if status else url


@pytest.fixture
def shelf(owner):
    """The owner's draft, archived and published posts (each with a tag)."""
    return {
        "draft": PostFactory(author=owner, caption="my secret draft #sketch", status="draft"),
        "archived": PostFactory(author=owner, caption="an old archived one #retro", status="archived"),
        "published": PostFactory(author=owner, caption="out in the world #live"),
    }


def _reload(user):
    user.refresh_from_db(fields=["stats"])
    return user


def test_author_sees_drafts_and_archived_tabs_with_their_posts(client, owner, shelf):
    client.force_login(owner)
    page = client.get(_profile("owner")).content.decode()
    assert "Drafts" in page and "Archived" in page
    assert "my secret draft" not in page  # the All tab shows published posts only

    drafts = client.get(_profile("owner", "draft")).content.decode()
    assert "my secret draft" in drafts
    assert "an old archived one" not in drafts and "out in the world" not in drafts
    assert reverse("social:post_publish", args=[shelf["draft"].pk]) in drafts

    archived = client.get(_profile("owner", "archived")).content.decode()
    assert "an old archived one" in archived and "my secret draft" not in archived
    assert reverse("social:post_restore", args=[shelf["archived"].pk]) in archived


@pytest.mark.parametrize("status", ["", "draft", "archived"])
def test_nobody_else_sees_the_tabs_or_the_posts_on_them(client, owner, stranger, shelf, status):
    client.force_login(stranger)
    for url in (
        _profile("owner", status),
        reverse("social:profile_posts", args=["owner"]) + f"?status={status}",
    ):
        page = client.get(url).content.decode()
        assert "my secret draft" not in page and "an old archived one" not in page
        assert "Drafts" not in page and "Archived" not in page
        assert "out in the world" in page  # they get the published posts instead
    client.logout()
    assert "my secret draft" not in client.get(_profile("owner", "draft")).content.decode()


def test_publishing_a_draft_makes_it_live_and_counts_it_once(client, owner, shelf):
    client.force_login(owner)
    draft = shelf["draft"]
    url = reverse("social:post_publish", args=[draft.pk])
    assert _reload(owner).stats.posts == 1

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == _profile("owner", "draft")
    assert client.post(url).status_code == 302  # a second click changes nothing

    draft.refresh_from_db()
    assert (draft.status, draft.live, draft.listed) == ("published", True, True)
    assert draft.published_at is not None
    assert _reload(owner).stats.posts == 2
    assert Tag.objects.get(name="sketch").usage_count == 1
    assert counters_recount(fix=False) == []


def test_restoring_an_archived_post_and_archiving_it_again_keep_counters_true(client, owner, shelf):
    client.force_login(owner)
    archived = shelf["archived"]
    client.post(reverse("social:post_restore", args=[archived.pk]))
    archived.refresh_from_db()
    assert (archived.status, archived.live) == ("published", True)
    assert _reload(owner).stats.posts == 2
    assert Tag.objects.get(name="retro").usage_count == 1
    assert "an old archived one" in client.get(_profile("owner")).content.decode()
    assert counters_recount(fix=False) == []

    response = client.post(reverse("social:post_archive", args=[archived.pk]))
    assert response.status_code == 302
    archived.refresh_from_db()
    assert (archived.status, archived.live, archived.listed) == ("archived", False, False)
    assert _reload(owner).stats.posts == 1
    assert Tag.objects.get(name="retro").usage_count == 0
    assert "an old archived one" not in client.get(_profile("owner")).content.decode()
    assert counters_recount(fix=False) == []


def test_publish_restore_and_archive_are_refused_to_anyone_but_the_author(client, stranger, shelf):
    client.force_login(stranger)
    for name, post in (
        ("post_publish", "draft"),
        ("post_restore", "archived"),
        ("post_archive", "published"),
    ):
        assert client.post(reverse(f"social:{name}", args=[shelf[post].pk])).status_code == 404
    assert [Post.objects.get(pk=p.pk).status for p in shelf.values()] == ["draft", "archived", "published"]


def test_publish_is_a_post_with_csrf(owner, shelf):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    url = reverse("social:post_publish", args=[shelf["draft"].pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert Post.objects.get(pk=shelf["draft"].pk).status == "draft"


def test_a_post_in_the_wrong_state_says_so_and_changes_nothing(client, owner, shelf):
    client.force_login(owner)
    response = client.post(reverse("social:post_restore", args=[shelf["draft"].pk]), follow=True)
    assert "is not archived" in response.content.decode()
    assert Post.objects.get(pk=shelf["draft"].pk).status == "draft"
    assert _reload(owner).stats.posts == 1


def test_two_concurrent_publishes_of_one_draft_count_it_once(owner, shelf):
    from social import services

    draft = shelf["draft"]
    barrier, results, errors = threading.Barrier(4), [], []

    def publish():
        try:
            barrier.wait()
            results.append(services.post_publish(post=Post.objects.get(pk=draft.pk), by=owner))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(results) == [False, False, False, True]
    assert _reload(owner).stats.posts == 2
    assert Tag.objects.get(name="sketch").usage_count == 1
    assert counters_recount(fix=False) == []


# --- "image-post" is the picture alone -------------------------------------------------------


def test_image_post_with_a_caption_is_refused_in_the_create_form(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("social:post_create"),
        {
            "category": "image-post",
            "caption": "words under my picture",
            "media": png_file(),
            "visibility": "public",
            "status": "published",
        },
    )
    assert response.status_code == 200
    assert "An “Image” post is the picture alone" in response.content.decode()
    assert not Post.objects.filter(author=owner).exists()


def test_image_post_with_only_a_picture_is_created(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("social:post_create"),
        {
            "category": "image-post",
            "caption": "",
            "media": png_file(),
            "visibility": "public",
            "status": "published",
        },
    )
    assert response.status_code == 302
    assert Post.objects.get(author=owner).category == "image-post"


def test_adding_a_caption_to_an_image_post_is_refused_in_the_edit_form(client, owner):
    post = PostFactory(author=owner, category="image-post", caption="", media=png_file())
    client.force_login(owner)
    form = {"title": "", "caption": "now with words", "tags": "", "location_name": "", "visibility": "public"}
    response = client.post(reverse("social:post_edit", args=[post.pk]), {**form, "status": "published"})
    assert response.status_code == 200
    assert "An “Image” post is the picture alone" in response.content.decode()
    post.refresh_from_db()
    assert post.caption == ""

    # The same caption on an "Image and text" post is fine.
    other = PostFactory(author=owner, category="image-text-post", caption="", media=png_file())
    response = client.post(reverse("social:post_edit", args=[other.pk]), {**form, "status": "published"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.caption == "now with words"


def test_the_post_page_offers_its_author_archive_publish_or_restore_and_nobody_else(
    client, owner, friend, shelf
):
    client.force_login(owner)
    for state, name in (
        ("published", "post_archive"),
        ("draft", "post_publish"),
        ("archived", "post_restore"),
    ):
        page = client.get(reverse("social:post_detail", args=[shelf[state].pk])).content.decode()
        assert reverse(f"social:{name}", args=[shelf[state].pk]) in page
    client.force_login(friend)
    page = client.get(reverse("social:post_detail", args=[shelf["published"].pk])).content.decode()
    assert reverse("social:post_archive", args=[shelf["published"].pk]) not in page
