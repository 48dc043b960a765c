import pytest
from django.urls import reverse

from social import services
from social.models import Comment, Notification


def test_replies_nest_three_levels_and_a_fourth_is_refused_with_a_message(
    client, owner, friend, following, make_post
):
    post = make_post()
    one = services.comment_create(author=friend, post=post, text="level one")
    two = services.comment_create(author=owner, post=post, text="level two", parent=one)
    three = services.comment_create(author=friend, post=post, text="level three", parent=two)
    assert (one.depth, two.depth, three.depth) == (1, 2, 3)
    assert three.root_id == one.pk
    client.force_login(friend)
    response = client.post(
        reverse("social:comment_create", args=[post.pk]),
        {"text": "level four", "parent": str(three.pk)},
        follow=True,
    )
    assert "at most 3 levels" in response.content.decode()
    assert not Comment.objects.filter(text="level four").exists()
    post.refresh_from_db()
    one.refresh_from_db()
    assert post.comments_count == 3 and one.replies_count == 1
    body = client.get(post.get_absolute_url()).content.decode()
    assert body.index("level one") < body.index("level two") < body.index("level three")


def test_comment_edit_is_marked_edited(client, friend, following, make_post):
    post = make_post()
    comment = services.comment_create(author=friend, post=post, text="tpyo")
    client.force_login(friend)
    client.post(reverse("social:comment_edit", args=[comment.pk]), {"text": "typo"})
    comment.refresh_from_db()
    assert comment.text == "typo" and comment.is_edited
    assert "edited" in client.get(post.get_absolute_url()).content.decode()


def test_only_the_author_edits_a_comment(client, owner, friend, following, make_post):
    post = make_post()
    comment = services.comment_create(author=friend, post=post, text="mine")
    client.force_login(owner)
    assert client.get(reverse("social:comment_edit", args=[comment.pk])).status_code == 404


def test_soft_deleted_comment_keeps_its_replies(client, owner, friend, following, make_post):
    post = make_post()
    top = services.comment_create(author=friend, post=post, text="top")
    services.comment_create(author=owner, post=post, text="reply stays", parent=top)
    client.force_login(friend)
    client.post(reverse("social:comment_delete", args=[top.pk]))
    top.refresh_from_db()
    assert top.deleted_at
    body = client.get(post.get_absolute_url()).content.decode()
    assert "This comment was deleted." in body and "reply stays" in body
    post.refresh_from_db()
    assert post.comments_count == 1


def test_post_author_may_delete_others_comments_but_strangers_may_not(owner, friend, stranger, make_post):
    post = make_post()
    comment = services.comment_create(author=friend, post=post, text="x")
    with pytest.raises(services.SocialError):
        services.comment_delete(comment=comment, by=stranger)
    services.comment_delete(comment=comment, by=owner)
    assert Comment.objects.get(pk=comment.pk).deleted_at


def test_comment_like_through_the_page(client, friend, following, make_post):
    post = make_post()
    comment = services.comment_create(author=friend, post=post, text="x")
    client.force_login(friend)
    client.post(reverse("social:comment_like", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.likes_count == 1


def test_comment_and_reply_notify_the_right_people(owner, friend, stranger, make_post):
    post = make_post()
    top = services.comment_create(author=friend, post=post, text="hello")
    services.comment_create(author=stranger, post=post, text="hi @friend", parent=top)
    names = {owner.pk: "owner", friend.pk: "friend", stranger.pk: "stranger"}
    kinds = sorted((names[r], k) for r, k in Notification.objects.values_list("recipient_id", "kind"))
    assert ("owner", "comment") in kinds and ("friend", "reply") in kinds
    # friend was mentioned in the reply too, but gets one notification, not two
    assert [k for k in kinds if k[0] == "friend"] == [("friend", "reply")]


def test_comment_pagination_loads_more_threads(client, owner, friend, make_post):
    post = make_post()
    for n in range(25):
        services.comment_create(author=friend, post=post, text=f"comment {n:02d}")
    client.force_login(friend)
    first = client.get(post.get_absolute_url())
    assert "comment 19" in first.content.decode() and "comment 20" not in first.content.decode()
    cursor = first.context["comments"].next_cursor
    more = client.get(post.get_absolute_url() + f"?cursor={cursor}", HTTP_HX_REQUEST="true")
    assert "comment 24" in more.content.decode() and "comment 00" not in more.content.decode()


def test_deleting_a_comment_moderators_had_hidden_does_not_take_it_off_the_count_twice(
    owner, friend, staff, make_post
):
    post = make_post()
    services.comment_create(author=friend, post=post, text="stays")
    hidden = services.comment_create(author=friend, post=post, text="rude")
    services.moderation_apply(
        by=staff, target_type="comment", target_id=hidden.pk, action="hide", reason="rude"
    )

    services.comment_delete(comment=Comment.objects.get(pk=hidden.pk), by=friend)

    post.refresh_from_db()
    assert post.comments_count == 1 and post.hot == 30
