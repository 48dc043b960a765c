"""Notifications: stored, e-mailed once (leased claim), read, opted out of; @mentions."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.language import user_language
from modelsnapper.queue import enqueue
from modelsnapper.sentences import Sentence, written
from social import selectors
from social.models import Follow, Notification, NotificationOptOut, Post
from social.notification_text import MENTIONED, POSTED, POSTED_A_NEW, notification_shown_text
from social.services.text import mentions_in

logger = logging.getLogger(__name__)
User = get_user_model()


def _post_url(post_id) -> str:
    return reverse("social:post_detail", kwargs={"post_id": post_id})


def notification_create(
    *,
    recipient,
    kind: str,
    actor=None,
    target_type: str = "",
    target_id: Any = "",
    text: str | Sentence = "",
    url: str = "",
    key: str = "",
    sentence: dict[str, Any] | None = None,
) -> Notification | None:
    """Store a notification; e-mail it unless the recipient opted out (globally or for the kind).

    A notice that must arrive once names what it is about in ``key`` (``gen:<job>:ended``,
    ``post:<post>:<follower>``): the unique index refuses a second one, and None is returned.
    ``text`` as a Sentence (or its ``sentence`` as stored, from a queued notice) is stored in
    English and shown in the reader's language (modelsnapper.sentences).
    """
    if isinstance(text, Sentence):
        text, sentence = written(text)
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not url and target_type == "post" and target_id:
        url = _post_url(target_id)
    # Only the switch on the recipient's own document decides here; an opt-out of the kind is
    # read once, by the worker that would send the e-mail (notification_send_email), which
    # must read it then anyway: one may opt out between the notice and its e-mail.
    wants_email = _emails_switched_on(recipient)
    try:
        notification = Notification.objects.create(
            recipient=recipient,
            actor=actor,
            kind=kind,
            target_type=target_type,
            target_id=str(target_id or ""),
            text=text[:300],
            sentence=sentence,
            url=url,
            key=key,
            email_status=Notification.EmailStatus.PENDING if wants_email else Notification.EmailStatus.NONE,
        )
    except IntegrityError:
        if not key:
            raise
        return None
    if wants_email:
        # Mailed once what created it has committed (now, outside a transaction).
        transaction.on_commit(lambda: _enqueue_email(notification.pk))
    return notification


def _enqueue_email(notification_id) -> None:
    try:
        enqueue("social.tasks.send_notification_email", str(notification_id))
    except Exception:  # a broker outage must not undo the like/follow that caused this
        logger.exception("could not enqueue e-mail for notification %s", notification_id)


def _emails_switched_on(recipient) -> bool:
    """The recipient's own switch for every notification e-mail (their preferences, no read)."""
    prefs = getattr(recipient, "preferences", None)
    return prefs is None or getattr(prefs, "email_notifications", True)


def notification_wants_email(recipient, kind: str) -> bool:
    return (
        _emails_switched_on(recipient)
        and not NotificationOptOut.objects.filter(user=recipient, kind=kind).exists()
    )


def _people_load(notification: Notification) -> None:
    """The recipient (address, language, opt-outs) and the actor (named in the text) in one read."""
    fields = [
        name
        for name in ("recipient", "actor")
        if getattr(notification, f"{name}_id") is not None
        and not Notification._meta.get_field(name).is_cached(notification)
    ]
    if not fields:
        return
    people = User.objects.in_bulk([getattr(notification, f"{name}_id") for name in fields])
    for name in fields:
        person = people.get(getattr(notification, f"{name}_id"))
        if person is not None:
            setattr(notification, name, person)


# How long a worker holds a notification it is e-mailing; past it, a worker that died
# mid-send is presumed gone and another may send. Longer than any SMTP timeout.
EMAIL_LEASE = timedelta(minutes=5)


class EmailDeliveryError(Exception):
    """The mail server did not take the message; the notification is pending again."""


def absolute_url(path: str) -> str:
    """A link that works outside the site (e-mails): ``SITE_URL`` + the path."""
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def notification_email_content(notification: Notification) -> tuple[str, str]:
    """Subject and body: the subject says what happened, every link is absolute. Written in
    the recipient's language: a worker sends it, outside any request that would choose one."""
    with translation.override(user_language(notification.recipient) or settings.LANGUAGE_CODE):
        text = notification_shown_text(notification)
        subject = text or str(notification.get_kind_display())
        lines = [text]
        if notification.url:
            lines += ["", absolute_url(notification.url)]
        settings_url = absolute_url(reverse("social:notification_settings"))
        lines += ["", gettext("Change which e-mails you get: %(url)s") % {"url": settings_url}]
    return subject, "\n".join(lines)


def notification_send_email(*, notification: Notification) -> bool:
    """E-mail one notification; True only for the call that sent it.

    The send is claimed first with a conditional update (pending, or sending with an
    expired lease → sending with a fresh lease), so two workers never both send it; it is
    marked sent only once the mail server took it. A failed send puts it back to pending
    and raises ``EmailDeliveryError`` so the task retries it later.
    """
    from django.core.mail import send_mail

    status = Notification.EmailStatus
    _people_load(notification)
    recipient = notification.recipient
    if not recipient.email or not notification_wants_email(recipient, notification.kind):
        Notification.objects.filter(pk=notification.pk, email_status=status.PENDING).update(
            email_status=status.NONE
        )
        return False
    now = timezone.now()
    claimable = Q(email_status=status.PENDING) | Q(email_status=status.SENDING, email_lease_until__lt=now)
    claimed = Notification.objects.filter(claimable, pk=notification.pk).update(
        email_status=status.SENDING,
        email_lease_until=now + EMAIL_LEASE,
        email_attempts=F("email_attempts") + 1,
    )
    if claimed != 1:  # sent already, or another worker holds it
        return False
    subject, body = notification_email_content(notification)
    try:
        send_mail(
            subject=subject,
            message=body,
            from_email=None,
            recipient_list=[recipient.email],
            fail_silently=False,
        )
    except (smtplib.SMTPException, OSError) as exc:
        Notification.objects.filter(pk=notification.pk, email_status=status.SENDING).update(
            email_status=status.PENDING, email_lease_until=None
        )
        logger.warning("e-mail for notification %s failed: %s", notification.pk, exc)
        raise EmailDeliveryError(str(exc)) from exc
    Notification.objects.filter(pk=notification.pk).update(email_status=status.SENT, email_lease_until=None)
    return True


def notification_email_give_up(*, notification: Notification) -> None:
    """After the last retry: recorded as failed (never as sent), for staff to see."""
    Notification.objects.filter(pk=notification.pk, email_status=Notification.EmailStatus.PENDING).update(
        email_status=Notification.EmailStatus.FAILED
    )
    logger.error("gave up e-mailing notification %s", notification.pk)


def notification_mark_read(*, user, notification_id) -> bool:
    oid = selectors.parse_object_id(notification_id)
    if oid is None:
        return False
    return (
        Notification.objects.filter(pk=oid, recipient=user, read=False).update(
            read=True, read_at=timezone.now()
        )
        == 1
    )


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read=False).update(read=True, read_at=timezone.now())


def notification_set_email_optouts(*, user, kinds_off) -> None:
    kinds_off = set(kinds_off) & set(Notification.Kind.values)
    NotificationOptOut.objects.filter(user=user).exclude(kind__in=list(kinds_off)).delete()
    for kind in kinds_off:
        with contextlib.suppress(IntegrityError):
            NotificationOptOut.objects.create(user=user, kind=kind)


def _notify_mentions(*, actor, text: str, target_type: str, target_id, url: str, skip=()) -> None:
    names = [n for n in mentions_in(text) if n != actor.username][:20]
    if not names:
        return
    blocked = selectors.blocked_user_ids(actor)
    for person in User.objects.visible().filter(username__in=names):
        if person.pk in blocked or person.pk in skip:
            continue
        notification_create(
            recipient=person,
            kind=Notification.Kind.MENTION,
            actor=actor,
            target_type=target_type,
            target_id=target_id,
            text=Sentence(MENTIONED, {"name": actor.username}),
            url=url,
        )


# --- "someone you follow posted" -------------------------------------------------------------

# Followers notified per task; the task queues the next batch itself, so a creator with many
# followers never holds a request or one long task.
POST_FANOUT_BATCH = 200


def post_followers_notify_later(*, post: Post) -> None:
    """Queue the fan-out of a post that just went live, once the write that published it commits."""

    def send() -> None:
        try:
            enqueue("social.tasks.notify_post_followers", str(post.pk))
        except Exception:  # the post is published; a lost fan-out is logged, not an error page
            logger.exception("could not enqueue the follower notices of post %s", post.pk)

    transaction.on_commit(send)


def _post_notice_text(post: Post, author) -> Sentence:
    words = " ".join((post.title or post.caption or "").split())
    if not words:
        return Sentence(POSTED_A_NEW[post.category], {"name": author.username})
    return Sentence(
        POSTED, {"name": author.username, "rest": f"{words[:80]}{'…' if len(words) > 80 else ''}"}
    )


def post_followers_notify(*, post_id, after_id=None, batch: int = POST_FANOUT_BATCH) -> tuple[int, Any]:
    """Tell one batch of the author's followers (those with the follow's notices on, who may
    see the post) that it was posted; returns (notices sent, the follow id to continue after,
    or None when done). Each follower's notice has the key ``post:<post>:<follower>``, so a
    repeated batch or a post published again sends nothing twice."""
    post = Post.objects.filter(pk=selectors.parse_object_id(post_id)).prefetch_related("author").first()
    if post is None or not post.live or post.visibility == Post.Visibility.PRIVATE:
        return 0, None
    follows = Follow.objects.filter(following_id=post.author_id, notifications_enabled=True)
    if after_id is not None:
        follows = follows.filter(pk__gt=after_id)
    rows = list(follows.order_by("pk").values_list("pk", "follower_id")[:batch])
    people = User.objects.visible().in_bulk([follower_id for _, follower_id in rows])
    sent = 0
    for _, follower_id in rows:
        person = people.get(follower_id)
        # The one privacy rule decides (blocks, followers-only, closed groups).
        if person is None or not selectors.can_view_post(person, post):
            continue
        notice = notification_create(
            recipient=person,
            kind=Notification.Kind.POST,
            actor=post.author,
            target_type="post",
            target_id=post.pk,
            text=_post_notice_text(post, post.author),
            key=f"post:{post.pk}:{follower_id}",
        )
        sent += notice is not None
    return sent, (rows[-1][0] if len(rows) == batch else None)
