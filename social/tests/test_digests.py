"""E-mail digests of unread notifications (issue #14 item 11): daily or weekly as chosen, the
per-type opt-outs and the global switch honoured, once per period, text and HTML with
absolute links."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections

from social import services
from social.digests import digest_set_frequency, digests_send
from social.models import EmailDigest, Notification

# A Wednesday morning, and times around it.
WEDNESDAY = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.SITE_URL = "https://modelsnapper.example"
    mail.outbox = []
    return mail.outbox


def notice(
    user, kind: str, text: str, at: datetime, *, read: bool = False, url: str = "/social/notifications/"
):
    """A notification as the app leaves it (written directly: no single e-mail is involved)."""
    return Notification.objects.create(
        recipient=user, kind=kind, text=text, url=url, created_at=at, read=read, read_at=at if read else None
    )


def test_a_daily_subscriber_gets_their_unread_notifications_in_one_email_with_text_and_html(owner):
    digest_set_frequency(user=owner, frequency="daily")
    notice(owner, "like", "friend liked your post", WEDNESDAY - timedelta(hours=3), url="/social/posts/abc/")
    notice(owner, "follow", "stranger followed you", WEDNESDAY - timedelta(hours=2))
    notice(owner, "comment", "an old comment", WEDNESDAY - timedelta(days=3))  # before this period
    notice(owner, "comment", "a comment you read", WEDNESDAY - timedelta(hours=1), read=True)

    run = digests_send(now=WEDNESDAY)

    assert run.sent == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.com"]
    assert message.subject == "Your daily digest: 2 unread notifications"
    assert "friend liked your post" in message.body and "stranger followed you" in message.body
    assert "an old comment" not in message.body and "a comment you read" not in message.body
    assert "https://modelsnapper.example/social/posts/abc/" in message.body
    assert "https://modelsnapper.example/social/notifications/settings/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<a href="https://modelsnapper.example/social/posts/abc/">friend liked your post</a>' in html
    assert 'href="/' not in html  # every link absolute


def test_a_kind_the_person_opted_out_of_is_left_out_of_the_digest(owner):
    digest_set_frequency(user=owner, frequency="daily")
    services.notification_set_email_optouts(user=owner, kinds_off=["like"])
    notice(owner, "like", "friend liked your post", WEDNESDAY - timedelta(hours=3))
    notice(owner, "follow", "stranger followed you", WEDNESDAY - timedelta(hours=2))

    digests_send(now=WEDNESDAY)

    (message,) = mail.outbox
    assert "stranger followed you" in message.body
    assert "liked" not in message.body and "liked" not in message.alternatives[0][0]
    assert message.subject == "Your daily digest: 1 unread notification"


def test_nothing_is_sent_when_emails_are_switched_off_or_nothing_is_unread(owner, friend):
    digest_set_frequency(user=owner, frequency="daily")
    digest_set_frequency(user=friend, frequency="daily")
    owner.preferences.email_notifications = False
    owner.save(update_fields=["preferences"])
    notice(owner, "follow", "stranger followed you", WEDNESDAY - timedelta(hours=2))
    notice(friend, "follow", "already read", WEDNESDAY - timedelta(hours=2), read=True)

    run = digests_send(now=WEDNESDAY)

    assert mail.outbox == []
    assert run.sent == 0 and run.empty == 2


def test_a_daily_digest_goes_once_per_day_and_the_next_day_lists_only_what_is_new(owner):
    digest_set_frequency(user=owner, frequency="daily")
    notice(owner, "follow", "first follower", WEDNESDAY - timedelta(hours=2))

    digests_send(now=WEDNESDAY)
    digests_send(now=WEDNESDAY + timedelta(hours=5))  # same day: nothing more
    assert len(mail.outbox) == 1

    notice(owner, "follow", "second follower", WEDNESDAY + timedelta(hours=6))
    digests_send(now=WEDNESDAY + timedelta(days=1))
    assert len(mail.outbox) == 2
    assert "second follower" in mail.outbox[1].body
    assert "first follower" not in mail.outbox[1].body


def test_a_weekly_digest_goes_once_per_week(owner):
    digest_set_frequency(user=owner, frequency="weekly")
    notice(owner, "follow", "a follower", WEDNESDAY - timedelta(days=2))

    for day in range(5):  # Wednesday to Sunday of the same ISO week
        digests_send(now=WEDNESDAY + timedelta(days=day))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your weekly digest: 1 unread notification"

    notice(owner, "follow", "another follower", WEDNESDAY + timedelta(days=4))
    digests_send(now=WEDNESDAY + timedelta(days=5))  # Monday: a new week
    assert len(mail.outbox) == 2


def test_people_without_a_digest_get_none(owner):
    notice(owner, "follow", "a follower", WEDNESDAY - timedelta(hours=2))
    digest_set_frequency(user=owner, frequency="")
    digests_send(now=WEDNESDAY)
    assert mail.outbox == []


def test_concurrent_runs_send_one_digest_for_the_period(owner):
    digest_set_frequency(user=owner, frequency="daily")
    notice(owner, "follow", "a follower", WEDNESDAY - timedelta(hours=2))
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            digests_send(now=WEDNESDAY)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(mail.outbox) == 1
    assert EmailDigest.objects.get(user=owner).last_period == "2026-12-02"


def test_a_digest_the_mail_server_refused_is_sent_by_the_next_run(owner, settings, monkeypatch):
    digest_set_frequency(user=owner, frequency="daily")
    notice(owner, "follow", "a follower", WEDNESDAY - timedelta(hours=2))

    def refuse(self, messages):  # the SMTP edge is down
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    assert digests_send(now=WEDNESDAY).failed == 1
    monkeypatch.undo()

    assert digests_send(now=WEDNESDAY + timedelta(hours=1)).sent == 1
    assert len(mail.outbox) == 1


def test_the_command_dry_run_lists_who_would_get_one_and_sends_nothing(owner, capsys):
    digest_set_frequency(user=owner, frequency="daily")
    notice(owner, "follow", "a follower", datetime.now(UTC) - timedelta(hours=1))

    call_command("send_digests", "--dry-run")
    out = capsys.readouterr().out
    assert "would send a daily digest to owner@example.com" in out
    assert mail.outbox == []
    assert EmailDigest.objects.get(user=owner).last_period == ""

    call_command("send_digests")
    assert len(mail.outbox) == 1
    assert "Sent 1 digest(s)" in capsys.readouterr().out


def test_the_digest_is_chosen_on_the_notification_settings_page(owner_client, owner):
    page = owner_client.get("/social/notifications/settings/").content.decode()
    assert "Digest of unread notifications" in page

    response = owner_client.post("/social/notifications/digest/", {"frequency": "weekly"})
    assert response.status_code == 302
    assert EmailDigest.objects.get(user=owner).frequency == "weekly"

    owner_client.post("/social/notifications/digest/", {"frequency": "hourly"})  # not a choice
    assert EmailDigest.objects.get(user=owner).frequency == "weekly"


def test_the_beat_schedule_runs_the_digest_task(settings):
    from social.tasks import send_email_digests

    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "social.tasks.send_email_digests"
    ]
    assert len(entries) == 1
    assert send_email_digests.name == "social.tasks.send_email_digests"
