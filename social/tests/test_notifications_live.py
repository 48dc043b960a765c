"""The bell and the notifications page refresh themselves: an idle poll is a cheap 304."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from social import services


def notification_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("db.social_notification.")]


def test_an_idle_bell_poll_is_answered_304_with_its_etag_in_two_queries(client, owner, friend):
    services.follow_create(follower=friend, following=owner)
    client.force_login(owner)
    first = client.get(reverse("social:notification_badge"))
    etag = first["ETag"]
    assert first.status_code == 200 and ", 1 unread" in first.content.decode()
    assert "no-cache" in first["Cache-Control"]

    with CaptureQueriesContext(connection) as ctx:
        idle = client.get(reverse("social:notification_badge"), HTTP_IF_NONE_MATCH=etag)

    assert idle.status_code == 304 and idle["ETag"] == etag and idle.content == b""
    assert len(notification_queries(ctx)) <= 2


def test_the_bell_poll_answers_200_with_the_new_count_after_an_event(client, owner, friend, stranger):
    services.follow_create(follower=friend, following=owner)
    client.force_login(owner)
    etag = client.get(reverse("social:notification_badge"))["ETag"]

    services.follow_create(follower=stranger, following=owner)
    fresh = client.get(reverse("social:notification_badge"), HTTP_IF_NONE_MATCH=etag)

    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert 'aria-label="Notifications, 2 unread"' in fresh.content.decode()


def test_reading_a_notification_changes_the_etag(client, owner, friend):
    services.follow_create(follower=friend, following=owner)
    client.force_login(owner)
    etag = client.get(reverse("social:notification_badge"))["ETag"]
    services.notification_mark_all_read(user=owner)

    after = client.get(reverse("social:notification_badge"), HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and 'aria-label="Notifications"' in after.content.decode()


def test_the_bell_and_the_notifications_page_poll_every_few_seconds(client, owner, friend):
    client.force_login(owner)
    page = client.get(reverse("social:notifications")).content.decode()
    assert 'hx-trigger="load, every 5s"' in page  # the bell in the bar
    live = reverse("social:notifications") + "?live=1"
    assert f'hx-get="{live}"' in page and "every 5s" in page


def test_the_notifications_page_live_list_shows_a_new_notice_and_is_304_when_idle(client, owner, friend):
    client.force_login(owner)
    live = reverse("social:notifications") + "?live=1"
    empty = client.get(live)
    assert empty.status_code == 200 and "started following you" not in empty.content.decode()

    services.follow_create(follower=friend, following=owner)
    fresh = client.get(live, HTTP_IF_NONE_MATCH=empty["ETag"])
    assert fresh.status_code == 200 and "friend started following you" in fresh.content.decode()
    assert "<html" not in fresh.content.decode()
    assert client.get(live, HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304
