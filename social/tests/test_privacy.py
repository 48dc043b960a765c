"""Privacy matrix: owner, follower, stranger, blocked user × public, followers, private.

Anyone who may not see a post gets 404 on its page, its comments, its likes and its media.
"""

import pytest
from django.urls import reverse

from modelsnapper.testing.media import png_file
from social import services
from social.models import Post

VISIBLE = {
    # viewer: visibilities they may see
    "owner": {"public", "followers", "private"},
    "friend": {"public", "followers"},
    "stranger": {"public"},
    "blocked": set(),
}


@pytest.fixture
def posts(owner, following, blocked):
    return {
        vis: services.post_create(
            author=owner,
            category="image-text-post",
            caption=f"a {vis} post",
            visibility=vis,
            media=png_file(),
        )
        for vis in ("public", "followers", "private")
    }


def _status(client, method, url, data=None):
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response.status_code


@pytest.mark.parametrize("viewer_name", ["owner", "friend", "stranger", "blocked"])
def test_privacy_matrix_pages_comments_likes_media(client, request, posts, viewer_name):
    viewer = request.getfixturevalue(viewer_name)
    client.force_login(viewer)
    for vis, post in posts.items():
        allowed = vis in VISIBLE[viewer_name]
        expected = 200 if allowed else 404
        assert _status(client, "get", reverse("social:post_detail", args=[post.pk])) == expected, (
            viewer_name,
            vis,
            "page",
        )
        assert _status(client, "get", reverse("social:post_likers", args=[post.pk])) == expected, (
            viewer_name,
            vis,
            "likes",
        )
        assert _status(client, "get", reverse("social:post_media", args=[post.pk])) == expected, (
            viewer_name,
            vis,
            "media",
        )
        comment_status = _status(
            client, "post", reverse("social:comment_create", args=[post.pk]), {"text": "hi"}
        )
        assert comment_status == (302 if allowed else 404), (viewer_name, vis, "comment")
        like_status = _status(client, "post", reverse("social:post_like", args=[post.pk]))
        assert like_status == (302 if allowed else 404), (viewer_name, vis, "like")
        post.refresh_from_db()
    # Nothing the viewer could not see was changed by their attempts.
    for vis, post in posts.items():
        post.refresh_from_db()
        if vis not in VISIBLE[viewer_name]:
            assert post.likes_count == 0 and post.comments_count == 0


def test_anonymous_sees_only_public(client, posts):
    for vis, post in posts.items():
        expected = 200 if vis == "public" else 404
        assert client.get(reverse("social:post_detail", args=[post.pk])).status_code == expected
        assert client.get(reverse("social:post_media", args=[post.pk])).status_code == expected


def test_stranger_cannot_fetch_private_media_through_media_url(client, stranger, posts):
    client.force_login(stranger)
    name = posts["private"].media.name
    assert name.startswith(f"private/{posts['private'].author_id}/")
    assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.parametrize("viewer_name", ["owner", "friend", "stranger", "blocked"])
def test_profile_posts_follow_the_matrix(client, request, owner, posts, viewer_name):
    viewer = request.getfixturevalue(viewer_name)
    client.force_login(viewer)
    response = client.get(reverse("social:profile_posts", args=[owner.username]))
    if viewer_name == "blocked":
        assert response.status_code == 404
        return
    shown = {vis for vis in posts if f"a {vis} post" in response.content.decode()}
    assert shown == VISIBLE[viewer_name]


def test_drafts_archived_and_deleted_posts_are_hidden_from_others(
    client, owner, friend, following, make_post
):
    draft = make_post(status="draft")
    archived = make_post(status="archived")
    deleted = make_post()
    services.post_delete(post=deleted, by=owner)
    client.force_login(friend)
    for post in (draft, archived, deleted):
        assert client.get(reverse("social:post_detail", args=[post.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("social:post_detail", args=[draft.pk])).status_code == 200
    assert client.get(reverse("social:post_detail", args=[deleted.pk])).status_code == 404


def test_blocked_user_cannot_follow_or_comment(owner, blocked, make_post):
    post = make_post()
    with pytest.raises(services.SocialError):
        services.follow_create(follower=blocked, following=owner)
    with pytest.raises(services.SocialError):
        services.comment_create(author=blocked, post=post, text="hi")
    owner.refresh_from_db()
    assert owner.stats.followers == 0


def test_explore_and_trending_list_only_public_posts(client, stranger, posts):
    client.force_login(stranger)
    for name in ("social:explore", "social:trending"):
        body = client.get(reverse(name)).content.decode()
        assert "a public post" in body
        assert "a followers post" not in body and "a private post" not in body


def test_following_feed_shows_followers_only_posts_to_followers(client, friend, posts):
    client.force_login(friend)
    body = client.get(reverse("social:following")).content.decode()
    assert "a public post" in body and "a followers post" in body and "a private post" not in body


def test_malformed_ids_are_404(client, owner_client):
    assert owner_client.get("/social/p/not-an-id/").status_code == 404
    assert owner_client.get("/social/p/64b7f0000000000000000000/").status_code == 404


def test_operator_text_is_stored_and_shown_literally(owner_client, owner, friend):
    caption = 'look {"$gt": ""} and $where: function() { return true }'
    post = services.post_create(author=owner, category="text-post", caption=caption)
    assert Post.objects.get(pk=post.pk).caption == caption
    services.comment_create(author=friend, post=post, text='{"$ne": null}')
    body = owner_client.get(reverse("social:post_detail", args=[post.pk])).content.decode()
    assert "{&quot;$gt&quot;: &quot;&quot;} and $where" in body
    assert "{&quot;$ne&quot;: null}" in body


def test_blocked_user_cannot_see_stories(client, owner, blocked):
    story = services.story_create(author=owner, kind="text", text="not for you")
    client.force_login(blocked)
    assert client.get(story.get_absolute_url()).status_code == 404
    assert "not for you" not in client.get(reverse("social:stories")).content.decode()


def test_a_follower_loses_followers_only_posts_after_unfollowing(client, owner, friend, following, posts):
    services.follow_delete(follower=friend, following=owner)
    client.force_login(friend)
    assert client.get(reverse("social:post_detail", args=[posts["followers"].pk])).status_code == 404
