"""Notices that arrive: a post by someone I follow (unless I switched it off), coins I am given."""

import pytest
from django.core import mail
from django.urls import reverse

from billing.services import coins_grant, coins_transfer
from modelsnapper.queue import enqueue
from social import services
from social.models import Follow, Notification


@pytest.fixture
def muted(db, owner, stranger):
    """The stranger follows the owner but switched off notices of the owner's posts."""
    services.follow_create(follower=stranger, following=owner)
    services.follow_set_notifications(follower=stranger, following=owner, enabled=False)


def post_notices(user):
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.POST))


def test_a_new_post_notifies_each_follower_once_with_a_link_to_it(owner, friend, following, muted, stranger):
    post = services.post_create(author=owner, category="text-post", caption="hello followers")
    enqueue("social.tasks.notify_post_followers", str(post.pk))  # a second run of the fan-out

    [notice] = post_notices(friend)
    assert notice.text == "owner posted: hello followers"
    assert notice.url == reverse("social:post_detail", kwargs={"post_id": post.pk})
    assert notice.actor_id == owner.pk


def test_a_follower_who_switched_notices_off_gets_none(owner, muted, stranger):
    services.post_create(author=owner, category="text-post", caption="hello followers")

    assert post_notices(stranger) == []


def test_a_private_post_or_a_draft_notifies_nobody(owner, friend, following):
    services.post_create(author=owner, category="text-post", caption="just me", visibility="private")
    services.post_create(author=owner, category="text-post", caption="later", status="draft")

    assert post_notices(friend) == []


def test_a_draft_notifies_followers_when_it_is_published(owner, friend, following):
    draft = services.post_create(author=owner, category="text-post", caption="later", status="draft")
    services.post_update(post=draft, editor=owner, status="published")

    [notice] = post_notices(friend)
    assert notice.url == reverse("social:post_detail", kwargs={"post_id": draft.pk})


def test_an_opt_out_of_post_emails_keeps_the_notice_but_sends_no_email(client, owner, friend, following):
    client.force_login(friend)
    kinds = [k for k in Notification.Kind.values if k != "post"]
    client.post(reverse("social:notification_settings"), {"email_kinds": kinds})
    mail.outbox = []

    services.post_create(author=owner, category="text-post", caption="hello followers")

    assert len(post_notices(friend)) == 1
    assert [m.subject for m in mail.outbox if friend.email in m.to] == []


def test_the_notify_me_switch_on_the_follow_button_turns_post_notices_off_and_on(
    client, owner, friend, following
):
    client.force_login(friend)
    profile = client.get(reverse("social:profile_posts", args=[owner.username])).content.decode()
    assert 'aria-pressed="true" title="You are notified when owner posts">Notify me' in profile

    url = reverse("social:follow_notify", args=[owner.username])
    swapped = client.post(url, {"enabled": "0"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    swapped_html = swapped.content.decode()
    assert 'aria-pressed="false" title="You are not notified when owner posts">Notify me' in swapped_html
    assert "<html" not in swapped_html
    assert Follow.objects.get(follower=friend, following=owner).notifications_enabled is False
    services.post_create(author=owner, category="text-post", caption="quiet one")
    assert post_notices(friend) == []

    without_js = client.post(url, {"enabled": "1"})
    assert without_js.status_code == 302
    assert Follow.objects.get(follower=friend, following=owner).notifications_enabled is True


def test_the_notify_me_switch_needs_a_follow(client, owner, stranger):
    client.force_login(stranger)
    response = client.post(reverse("social:follow_notify", args=[owner.username]), {"enabled": "0"})
    assert response.status_code == 302
    assert not Follow.objects.exists()


def test_coins_given_by_someone_notify_the_recipient_once_with_a_link_to_their_coins(owner, friend):
    coins_grant(user=owner, amount=100, idempotency_key="test:coins")
    coins_transfer(sender=owner, recipient=friend, amount=40, idempotency_key="gift1")
    coins_transfer(sender=owner, recipient=friend, amount=40, idempotency_key="gift1")  # a retried request

    [notice] = Notification.objects.filter(recipient=friend, kind=Notification.Kind.COIN_EARNED)
    assert notice.text == "owner sent you 40 coins."
    assert notice.url == reverse("billing:coins")
    assert not Notification.objects.filter(recipient=owner, kind=Notification.Kind.COIN_EARNED).exists()
