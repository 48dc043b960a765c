"""Notification e-mails: sent once, never lost on a failure, with absolute links and a real subject."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connections
from django.utils import timezone

from modelsnapper import devrun
from social import services
from social.models import Notification


class FlakyBackend(EmailBackend):
    """The SMTP edge: refuses the first ``failures`` sends, then delivers to the locmem outbox."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise ConnectionRefusedError("smtp down")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.attempts = 0
    mail.outbox = []

    def fail(times: int):
        FlakyBackend.failures = times

    fail(0)
    return fail


def test_a_failed_send_is_retried_and_the_email_arrives_once(owner, friend, flaky_mail):
    flaky_mail(2)

    services.notification_create(recipient=owner, kind="follow", actor=friend, text="friend followed you")

    assert len(mail.outbox) == 1 and FlakyBackend.attempts == 3
    assert Notification.objects.get(recipient=owner).email_status == Notification.EmailStatus.SENT


def test_an_email_that_keeps_failing_is_recorded_as_failed_not_as_sent(owner, friend, flaky_mail):
    flaky_mail(100)

    services.notification_create(recipient=owner, kind="follow", actor=friend, text="friend followed you")

    assert mail.outbox == []
    notification = Notification.objects.get(recipient=owner)
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.email_attempts == FlakyBackend.attempts > 1


def test_two_workers_sending_the_same_notification_send_it_once(owner, friend, flaky_mail):
    notification = Notification.objects.create(
        recipient=owner, actor=friend, kind="follow", text="hi", email_status=Notification.EmailStatus.PENDING
    )
    barrier = threading.Barrier(6)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(
                services.notification_send_email(notification=Notification.objects.get(pk=notification.pk))
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(mail.outbox) == 1 and results.count(True) == 1


def test_a_send_left_half_done_by_a_dead_worker_is_taken_over_after_its_lease(owner, friend, flaky_mail):
    notification = Notification.objects.create(
        recipient=owner,
        actor=friend,
        kind="follow",
        text="hi",
        email_status=Notification.EmailStatus.SENDING,
        email_lease_until=timezone.now() + timedelta(minutes=5),
    )
    assert services.notification_send_email(notification=notification) is False  # still leased
    assert mail.outbox == []

    Notification.objects.filter(pk=notification.pk).update(
        email_lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.notification_send_email(notification=Notification.objects.get(pk=notification.pk)) is True
    assert len(mail.outbox) == 1


def test_email_says_what_happened_and_links_absolutely(owner, friend, make_post, flaky_mail, settings):
    settings.SITE_URL = "https://snap.example"
    post = make_post()
    mail.outbox = []  # the author's first post earns a badge, and that notice has its own e-mail

    services.like_add(user=friend, target=post)

    (message,) = mail.outbox
    assert message.subject == f"{friend.username} liked your post"
    assert f"https://snap.example/social/p/{post.pk}/" in message.body
    assert "ModelSnapper: Likes" not in message.subject


def test_make_run_derives_site_url_from_port_unless_it_is_set():
    assert devrun.child_env({"PORT": "8123"})["SITE_URL"] == "http://127.0.0.1:8123"
    assert devrun.child_env({})["SITE_URL"] == "http://127.0.0.1:8000"
    kept = devrun.child_env({"PORT": "8123", "SITE_URL": "https://snap.example"})
    assert kept["SITE_URL"] == "https://snap.example"
