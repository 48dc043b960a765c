"""Stories: who viewed (the author only), close friends, deleting a story, AI stories' label."""

import html

from django.core.files.storage import default_storage
from django.urls import reverse

from modelsnapper.testing.factories import UserFactory
from modelsnapper.testing.media import png_file
from modelsnapper.variants import VariantSet
from social import selectors, services
from social.models import CloseFriend, Story, StoryView


def test_the_author_sees_who_viewed_and_nobody_else_does(client, owner, friend, stranger, following):
    story = services.story_create(author=owner, kind="text", text="hello")
    for viewer in (friend, stranger):
        client.force_login(viewer)
        body = client.get(story.get_absolute_url()).content.decode()
        assert "Only you see who viewed" not in body and "@friend" not in body.replace(
            "@" + viewer.username, ""
        )
    client.force_login(owner)
    body = client.get(story.get_absolute_url()).content.decode()
    assert "2 views" in body and "Only you see who viewed your story." in body
    assert "@friend" in body and "@stranger" in body
    assert reverse("social:story_delete", args=[story.pk]) in body


def test_close_friends_story_is_seen_only_by_people_on_the_list(client, owner, friend, stranger, following):
    services.follow_create(follower=stranger, following=owner)
    story = services.story_create(author=owner, kind="text", text="inner", visibility="close_friends")
    client.force_login(owner)
    page = client.get(reverse("social:close_friends")).content.decode()
    assert reverse("social:close_friend_toggle", args=["friend"]) in page

    client.post(reverse("social:close_friend_toggle", args=["friend"]))

    assert [p.username for p in selectors.close_friends(owner)] == ["friend"]
    client.force_login(friend)
    assert client.get(story.get_absolute_url()).status_code == 200
    assert [s.pk for s in selectors.active_stories(friend)] == [story.pk]
    client.force_login(stranger)  # a follower, not on the list
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.get(reverse("social:story_media", args=[story.pk])).status_code == 404
    assert selectors.active_stories(stranger) == []

    client.force_login(owner)
    client.post(reverse("social:close_friend_toggle", args=["friend"]), {"remove": "1"})
    client.force_login(friend)
    assert client.get(story.get_absolute_url()).status_code == 404
    assert selectors.active_stories(friend) == []


def test_a_close_friend_who_does_not_follow_still_sees_it_in_the_strip(owner, friend):
    services.follow_create(follower=owner, following=friend)  # owner follows friend, not back
    services.close_friend_add(owner=owner, friend=friend)
    story = services.story_create(author=owner, kind="text", text="for you", visibility="close_friends")
    everyone = services.story_create(author=owner, kind="text", text="all")
    followers_only = services.story_create(author=owner, kind="text", text="f", visibility="followers")
    assert {s.pk for s in selectors.active_stories(friend)} == {story.pk, everyone.pk}
    assert followers_only.pk not in {s.pk for s in selectors.active_stories(friend)}


def test_only_people_who_follow_or_are_followed_can_be_added_and_blocks_hide_the_story(
    client, owner, friend, stranger, following
):
    client.force_login(owner)
    response = client.post(reverse("social:close_friend_toggle", args=["stranger"]), follow=True)
    assert "Add people you follow or who follow you" in html.unescape(response.content.decode())
    assert not CloseFriend.objects.exists()
    assert "@stranger" not in client.get(reverse("social:close_friends")).content.decode()
    assert client.post(reverse("social:close_friend_toggle", args=["nobody-here"])).status_code == 404

    assert services.close_friend_add(owner=owner, friend=friend) is True
    assert services.close_friend_add(owner=owner, friend=friend) is False  # already there, one row
    assert CloseFriend.objects.count() == 1
    story = services.story_create(author=owner, kind="text", text="x", visibility="close_friends")
    services.block_create(blocker=owner, blocked=friend)
    client.force_login(friend)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_the_author_deletes_a_story_after_confirming_and_its_media_and_views_go(
    client, owner, friend, following
):
    story = services.story_create(author=owner, kind="image", media=png_file())
    story.refresh_from_db()
    files = [story.media.name, *(name for _, name in VariantSet.from_data(story.variants).files())]
    assert len(files) > 1  # the original and its WebP copies
    assert all(default_storage.exists(name) for name in files)
    client.force_login(friend)
    client.get(story.get_absolute_url())
    assert client.get(reverse("social:story_delete", args=[story.pk])).status_code == 404
    assert client.post(reverse("social:story_delete", args=[story.pk])).status_code == 404
    assert Story.objects.filter(pk=story.pk).exists()

    client.force_login(owner)
    confirm = client.get(reverse("social:story_delete", args=[story.pk]))
    assert confirm.status_code == 200 and "Delete this story?" in confirm.content.decode()
    assert Story.objects.filter(pk=story.pk).exists()
    response = client.post(reverse("social:story_delete", args=[story.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("social:stories")
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not StoryView.objects.filter(story_id=story.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    client.force_login(friend)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_an_ai_story_carries_the_flag_and_shows_what_it_shows(client, owner, friend, following):
    client.force_login(owner)
    response = client.post(
        reverse("social:story_create"),
        {
            "kind": "text",
            "text": "new model cooking",
            "background_color": "#112233",
            "visibility": "all",
            "ai_generated": "on",
            "ai_activity": "training",
        },
    )
    story = Story.objects.get()
    assert response.status_code == 302 and story.ai_generated and story.ai_activity == "training"
    client.force_login(friend)
    assert "AI-generated · Training a model" in client.get(story.get_absolute_url()).content.decode()
    assert "AI · Training a model" in client.get(reverse("social:stories")).content.decode()


def test_an_ai_activity_on_a_story_not_made_with_ai_is_refused_with_a_sentence(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("social:story_create"),
        {
            "kind": "text",
            "text": "x",
            "background_color": "#112233",
            "visibility": "all",
            "ai_activity": "training",
        },
    )
    assert response.status_code == 200
    assert "Only an AI-generated story says what the AI is doing." in html.unescape(response.content.decode())
    assert not Story.objects.exists()


def test_candidates_list_followers_and_followed_not_on_the_list_and_not_blocked(owner, friend, stranger):
    fan, idol = UserFactory(username="fan"), UserFactory(username="idol")
    services.follow_create(follower=fan, following=owner)
    services.follow_create(follower=owner, following=idol)
    services.follow_create(follower=friend, following=owner)
    services.close_friend_add(owner=owner, friend=friend)
    assert [p.username for p in selectors.close_friend_candidates(owner)] == ["fan", "idol"]
    services.block_create(blocker=owner, blocked=fan)
    assert [p.username for p in selectors.close_friend_candidates(owner)] == ["idol"]
