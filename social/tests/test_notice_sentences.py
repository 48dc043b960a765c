"""Every social notice stores its sentence: the English msgid and its parameters (issue #15.2).

A notice is shown from what it stored, in the reader's language, never by matching its English
text back to a sentence (which broke as soon as the actor renamed themselves).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from modelsnapper.testing.factories import UserFactory
from modelsnapper.testing.i18n import shown_text
from modelsnapper.testing.media import png_file
from social import services
from social.models import Notification
from social.services.notifications import notification_email_content


def _like_post(owner, friend, stranger):
    services.like_toggle(
        user=friend, target=services.post_create(author=owner, category="text-post", caption="x")
    )


def _like_comment(owner, friend, stranger):
    post = services.post_create(author=stranger, category="text-post", caption="x")
    services.like_toggle(user=friend, target=services.comment_create(author=owner, post=post, text="mine"))


def _comment(owner, friend, stranger):
    post = services.post_create(author=owner, category="text-post", caption="x")
    services.comment_create(author=friend, post=post, text="nice")


def _reply(owner, friend, stranger):
    post = services.post_create(author=stranger, category="text-post", caption="x")
    parent = services.comment_create(author=owner, post=post, text="first")
    services.comment_create(author=friend, post=post, text="agreed", parent=parent)


def _follow(owner, friend, stranger):
    services.follow_create(follower=friend, following=owner)


def _mention_in_a_comment(owner, friend, stranger):
    post = services.post_create(author=stranger, category="text-post", caption="x")
    services.comment_create(author=friend, post=post, text="look @owner")


def _mention_in_a_post(owner, friend, stranger):
    services.post_create(author=friend, category="text-post", caption="hello @owner")


def _share(owner, friend, stranger):
    services.post_share(
        post=services.post_create(author=owner, category="text-post", caption="x"), user=friend
    )


def _group_invite(owner, friend, stranger):
    group = services.group_create(creator=friend, name="Night owls")
    services.group_invite(by=friend, group=group, user=owner)


def _post(owner, friend, stranger):
    services.follow_create(follower=owner, following=friend)
    services.post_create(author=friend, category="text-post", caption="Dawn  over the\nbay")


def _post_without_words(owner, friend, stranger):
    services.follow_create(follower=owner, following=friend)
    services.post_create(author=friend, category="image-post", caption="", media=png_file())


@pytest.mark.parametrize(
    ("act", "kind", "msgid", "params", "english"),
    [
        (_like_post, "like", "%(name)s liked your post", {}, "friend liked your post"),
        (_like_comment, "like", "%(name)s liked your comment", {}, "friend liked your comment"),
        (_comment, "comment", "%(name)s commented on your post", {}, "friend commented on your post"),
        (_reply, "reply", "%(name)s replied to your comment", {}, "friend replied to your comment"),
        (_follow, "follow", "%(name)s started following you", {}, "friend started following you"),
        (_mention_in_a_comment, "mention", "%(name)s mentioned you", {}, "friend mentioned you"),
        (_mention_in_a_post, "mention", "%(name)s mentioned you", {}, "friend mentioned you"),
        (_share, "share", "%(name)s shared your post", {}, "friend shared your post"),
        (
            _group_invite,
            "group_invite",
            "%(name)s invited you to %(rest)s",
            {"rest": "Night owls"},
            "friend invited you to Night owls",
        ),
        (
            _post,
            "post",
            "%(name)s posted: %(rest)s",
            {"rest": "Dawn over the bay"},
            "friend posted: Dawn over the bay",
        ),
        (_post_without_words, "post", "%(name)s posted a new image", {}, "friend posted a new image"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_a_social_notice_stores_its_sentence_and_its_english_text(
    owner, friend, stranger, act, kind, msgid, params, english
):
    act(owner, friend, stranger)

    [notice] = Notification.objects.filter(recipient=owner, kind=kind)
    assert notice.sentence == {"msgid": msgid, "params": {"name": "friend", **params}}
    assert notice.text == english
    assert notice.actor_id == friend.pk


@pytest.fixture
def renamed_fan(spanish_reader):
    """lucia follows the Spanish reader and likes their post, then renames herself."""
    fan = UserFactory(username="lucia")
    services.follow_create(follower=fan, following=spanish_reader)
    services.like_toggle(
        user=fan, target=services.post_create(author=spanish_reader, category="text-post", caption="x")
    )
    fan.username = "lucia_2027"
    fan.save()
    return fan


def test_a_notice_reads_in_spanish_after_its_actor_renamed_themselves(client, spanish_reader, renamed_fan):
    client.force_login(spanish_reader)

    page = shown_text(client.get(reverse("social:notifications")))
    live = shown_text(client.get(reverse("social:notifications") + "?live=1"))

    for shown in (page, live):
        # What the notice said when it was sent, in the reader's language.
        assert "lucia ha empezado a seguirte" in shown
        assert "A lucia le gusta tu publicación" in shown
        assert "started following you" not in shown and "liked your post" not in shown


def test_a_notice_e_mail_after_its_actor_renamed_themselves_is_in_the_recipients_language(
    spanish_reader, renamed_fan
):
    notice = Notification.objects.get(recipient=spanish_reader, kind="follow")

    subject, _body = notification_email_content(notice)

    assert subject == "lucia ha empezado a seguirte"


def test_a_notice_written_before_sentences_were_stored_is_still_read_in_spanish(client, spanish_reader):
    """A row with only its English text is matched back to its fixed sentence (old rows alone)."""
    fan = UserFactory(username="lucia")
    services.notification_create(
        recipient=spanish_reader, kind="follow", actor=fan, text="lucia started following you"
    )
    client.force_login(spanish_reader)

    page = shown_text(client.get(reverse("social:notifications")))

    assert Notification.objects.get(recipient=spanish_reader).sentence is None
    assert "lucia ha empezado a seguirte" in page
