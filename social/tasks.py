"""Background work for the social app: tasks take ids, load, call a service."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from django.contrib.auth import get_user_model

from modelsnapper.queue import enqueue
from social.models import Notification
from social.selectors import parse_object_id
from social.services import (
    EmailDeliveryError,
    counters_recount,
    notification_create,
    notification_email_give_up,
    notification_send_email,
    story_media_purge,
)
from social.services.notifications import post_followers_notify

logger = logging.getLogger(__name__)

# A failed notification e-mail is tried again after about 1, 2, 4, 8, 16 and 32 minutes
# (with jitter, so a mail-server outage does not end in a burst), then recorded as failed.
EMAIL_MAX_RETRIES = 6
EMAIL_RETRY_BASE_SECONDS = 60


def email_retry_delay(retries: int) -> int:
    base = EMAIL_RETRY_BASE_SECONDS * 2**retries
    return base + random.randint(0, base // 4)


@shared_task(bind=True, ignore_result=True, max_retries=EMAIL_MAX_RETRIES)
def send_notification_email(self, notification_id: str) -> bool:
    # Its recipient and actor are read together by notification_send_email.
    notification = Notification.objects.filter(pk=parse_object_id(notification_id)).first()
    if notification is None:
        return False
    try:
        return notification_send_email(notification=notification)
    except EmailDeliveryError as exc:
        if self.request.retries >= self.max_retries:
            notification_email_give_up(notification=notification)
            return False
        raise self.retry(exc=exc, countdown=email_retry_delay(self.request.retries)) from exc


@shared_task(ignore_result=True)
def notify(
    recipient_id: str,
    kind: str,
    text: str,
    url: str,
    key: str,
    actor_id: str = "",
    sentence: dict | None = None,
) -> bool:
    """A notice another app sends (a job or training ended, coins given): stored once per ``key``.

    Other apps queue it by name after their own transaction commits (``modelsnapper.notices``),
    so they need not import the social app."""
    users = get_user_model().objects.in_bulk([parse_object_id(i) for i in (recipient_id, actor_id) if i])
    recipient = users.get(parse_object_id(recipient_id))
    if recipient is None:
        return False
    actor = users.get(parse_object_id(actor_id)) if actor_id else None
    return (
        notification_create(
            recipient=recipient, kind=kind, actor=actor, text=text, url=url, key=key, sentence=sentence
        )
        is not None
    )


@shared_task(ignore_result=True)
def notify_post_followers(post_id: str, after_id: str = "") -> int:
    """One batch of a new post's follower notices; queues the next batch until all are told."""
    sent, next_after = post_followers_notify(
        post_id=post_id, after_id=parse_object_id(after_id) if after_id else None
    )
    if next_after is not None:
        enqueue("social.tasks.notify_post_followers", post_id, str(next_after))
    return sent


@shared_task(ignore_result=True)
def purge_expired_story_media() -> int:
    return story_media_purge()


@shared_task(ignore_result=True)
def recount_counters() -> int:
    """Nightly: put every social counter back to its true count; each drift is logged as a warning."""
    drifts = counters_recount()
    for drift in drifts:
        logger.warning("social counter drift fixed: %s", drift)
    return len(drifts)


@shared_task(ignore_result=True)
def send_email_digests() -> int:
    """The daily and weekly notification digests due now (social.digests); once per period each."""
    from social.digests import digests_send

    return digests_send().sent
