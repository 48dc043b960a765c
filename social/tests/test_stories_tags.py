from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from modelsnapper.testing.media import png_file
from social import selectors, services
from social.models import Story, StoryView, Tag


def test_expired_stories_are_never_listed_or_shown_even_before_the_sweep(client, owner, friend, following):
    live = services.story_create(author=owner, kind="text", text="still here")
    old = services.story_create(author=owner, kind="text", text="long gone")
    Story.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert [s.pk for s in selectors.active_stories(friend)] == [live.pk]
    client.force_login(friend)
    body = client.get(reverse("social:stories")).content.decode()
    assert live.get_absolute_url() in body and old.get_absolute_url() not in body
    assert client.get(old.get_absolute_url()).status_code == 404
    assert client.get(reverse("social:following")).status_code == 200
    # and once time passes, the live one disappears too
    later = timezone.now() + timedelta(hours=24, seconds=1)
    assert selectors.active_stories(friend, now=later) == []


def test_story_records_expire_a_week_after_the_story_and_its_views_at_once(db):
    info = connection.database[Story._meta.db_table].index_information()
    ttl = info["story_record_ttl"]
    assert ttl["key"] == [("expires_at", 1)] and ttl["expireAfterSeconds"] == 7 * 24 * 3600
    assert (
        connection.database[StoryView._meta.db_table].index_information()["story_view_ttl"][
            "expireAfterSeconds"
        ]
        == 0
    )


def test_story_views_count_once_per_viewer_and_not_the_author(client, owner, friend, stranger):
    story = services.story_create(author=owner, kind="text", text="hi")
    for viewer in (friend, friend, stranger, owner):
        client.force_login(viewer)
        assert client.get(story.get_absolute_url()).status_code == 200
    story.refresh_from_db()
    assert story.views_count == 2


def test_followers_only_story(client, owner, friend, stranger, following):
    story = services.story_create(author=owner, kind="text", text="inner circle", visibility="followers")
    client.force_login(stranger)
    assert client.get(story.get_absolute_url()).status_code == 404
    client.force_login(friend)
    assert client.get(story.get_absolute_url()).status_code == 200


def test_image_story_through_the_form_and_media_privacy(client, owner, friend, stranger, following):
    client.force_login(owner)
    response = client.post(
        reverse("social:story_create"),
        {"kind": "image", "background_color": "#112233", "visibility": "followers", "media": png_file()},
    )
    story = Story.objects.get()
    assert response.status_code == 302 and story.media.name.startswith(f"private/{owner.pk}/stories/")
    client.force_login(friend)
    assert client.get(reverse("social:story_media", args=[story.pk])).status_code == 200
    client.force_login(stranger)
    assert client.get(reverse("social:story_media", args=[story.pk])).status_code == 404


def test_text_story_needs_text_and_a_valid_colour(owner):
    with pytest.raises(services.SocialError):
        services.story_create(author=owner, kind="text", text="")
    with pytest.raises(services.SocialError):
        services.story_create(author=owner, kind="text", text="x", background_color="red; x")


def test_tag_usage_counts_and_trending_prefers_recent_use(client, owner):
    for _ in range(3):
        services.post_create(author=owner, category="text-post", caption="#old")
    Tag.objects.filter(name="old").update(
        trending_score=3 * services.trend_weight(timezone.now() - timedelta(days=10))
    )
    services.post_create(author=owner, category="text-post", caption="#fresh and #fresh")
    services.post_create(author=owner, category="text-post", caption="#fresh")
    assert Tag.objects.get(name="old").usage_count == 3 and Tag.objects.get(name="fresh").usage_count == 2
    assert [t.name for t in selectors.trending_tags()][:2] == ["fresh", "old"]
    body = client.get(reverse("social:tags")).content.decode()
    assert body.index("#fresh") < body.index("#old")


def test_tag_page_lists_public_posts_with_that_tag(client, owner, make_post):
    make_post(caption="a #Cats post")
    make_post(caption="a #dogs post")
    make_post(caption="secret #cats", visibility="private")
    body = client.get(reverse("social:tag", args=["cats"])).content.decode()
    assert "a #Cats post" in body and "dogs" not in body and "secret" not in body


def test_concurrent_first_use_of_a_tag_makes_one_tag(owner):
    import threading

    from django.db import connections

    def use():
        services.tag_usage_add(["racy"])
        connections.close_all()

    threads = [threading.Thread(target=use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Tag.objects.filter(name="racy").count() == 1 and Tag.objects.get(name="racy").usage_count == 8


def test_an_expired_storys_media_file_leaves_storage_and_a_live_ones_stays(owner):
    old = services.story_create(author=owner, kind="image", media=png_file("old.png"))
    live = services.story_create(author=owner, kind="image", media=png_file("live.png"))
    Story.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    old_name, live_name = old.media.name, live.media.name

    assert services.story_media_purge() == 1
    assert services.story_media_purge() == 0  # a second run finds nothing left to do

    assert not default_storage.exists(old_name)
    assert Story.objects.get(pk=old.pk).media.name == ""
    assert default_storage.exists(live_name)
