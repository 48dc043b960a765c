"""E-mail digests (issue #14 item 11): a person's unread notifications in one e-mail, daily or
weekly, as they chose on the notification settings page.

The digest follows the same e-mail rules as a single notice: nothing when e-mails are switched
off in their preferences, and no notice of a kind they opted out of (``notification_wants_email``
is the one rule; here applied to the whole list at once). Each period sends at most once: the
run claims ``EmailDigest.last_period`` with a conditional update before sending, and gives the
claim back if the mail server refused, so the next run tries again. The beat task
(``social.tasks.send_email_digests``) and ``manage.py send_digests`` both run ``digests_send``.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.language import user_language
from social.models import EmailDigest, Notification, NotificationOptOut
from social.notification_text import notification_shown_text
from social.selectors.paging import attach_authors
from social.services.notifications import absolute_url

logger = logging.getLogger(__name__)

Frequency = EmailDigest.Frequency
PERIOD_LENGTH = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(weeks=1)}
DIGEST_MAX_ITEMS = 20
BATCH = 200


def period_key(frequency: str, now: datetime) -> str:
    """The period ``now`` falls in: the UTC day, or the ISO week."""
    day = now.astimezone(UTC).date() if timezone.is_aware(now) else now.date()
    if frequency == Frequency.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def digest_set_frequency(*, user, frequency: str) -> EmailDigest:
    """Choose how often (never, daily, weekly) the person gets a digest."""
    if frequency not in Frequency.values:
        raise ValueError(f"unknown digest frequency {frequency!r}")
    digest, _created = EmailDigest.objects.update_or_create(user=user, defaults={"frequency": frequency})
    return digest


@dataclass
class Digest:
    """One person's digest: the unread notices it lists (newest first) and how many there are."""

    subscription: EmailDigest
    items: list[Notification]
    total: int


def _unread_since(user, since: datetime | None) -> tuple[list[Notification], int]:
    """Unread notices since ``since`` of the kinds the person gets e-mails of, newest first."""
    off = list(NotificationOptOut.objects.filter(user_id=user.pk).values_list("kind", flat=True))
    unread = Notification.objects.filter(recipient_id=user.pk, read=False)
    if since is not None:
        unread = unread.filter(created_at__gt=since)
    if off:
        unread = unread.exclude(kind__in=off)
    items = list(unread.order_by("-id")[: DIGEST_MAX_ITEMS + 1])
    total = len(items) if len(items) <= DIGEST_MAX_ITEMS else unread.count()
    # The actors in one read: the sentences are written from their names (social.notification_text).
    return attach_authors(items[:DIGEST_MAX_ITEMS], "actor"), total


def digest_for(subscription: EmailDigest, now: datetime) -> Digest | None:
    """What ``subscription``'s person would get now; None when nothing (switched off, nothing new)."""
    user = subscription.user
    prefs = getattr(user, "preferences", None)
    if not user.email or not user.is_active or (prefs is not None and not prefs.email_notifications):
        return None
    # Since the last digest, and never older than one period (a first digest is not a history).
    since = now - PERIOD_LENGTH[subscription.frequency]
    if subscription.last_sent_at is not None and subscription.last_sent_at > since:
        since = subscription.last_sent_at
    items, total = _unread_since(user, since)
    return Digest(subscription, items, total) if items else None


def digest_email(digest: Digest) -> EmailMultiAlternatives:
    """The message: a plain-text and an HTML part, every link absolute, in the recipient's
    language (the beat task sends it outside any request, so nothing else would choose it)."""
    user = digest.subscription.user
    language = user_language(user) or settings.LANGUAGE_CODE
    with translation.override(language):
        return _digest_email(digest, user, language)


def _digest_email(digest: Digest, user, language: str) -> EmailMultiAlternatives:
    daily = digest.subscription.frequency == Frequency.DAILY
    subject = (
        ngettext(
            "Your daily digest: %(count)d unread notification",
            "Your daily digest: %(count)d unread notifications",
            digest.total,
        )
        if daily
        else ngettext(
            "Your weekly digest: %(count)d unread notification",
            "Your weekly digest: %(count)d unread notifications",
            digest.total,
        )
    ) % {"count": digest.total}
    context = {
        "user": user,
        "LANGUAGE_CODE": language,
        "subject": subject,
        "items": [
            (notification_shown_text(n) or n.get_kind_display(), absolute_url(n.url) if n.url else "")
            for n in digest.items
        ],
        "more": digest.total - len(digest.items),
        "notifications_url": absolute_url(reverse("social:notifications")),
        "settings_url": absolute_url(reverse("social:notification_settings")),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("social/email/digest.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("social/email/digest.html", context), "text/html")
    return message


@dataclass
class DigestRun:
    sent: int = 0
    empty: int = 0
    failed: int = 0
    would_send: list[tuple[str, int]] | None = None


def digest_send(*, subscription: EmailDigest, now: datetime, dry_run: bool = False) -> str:
    """Send ``subscription``'s digest for the current period, at most once: 'sent', 'empty',
    'done' (this period was handled already), 'failed' (given back for the next run), or
    'would send' in a dry run (nothing claimed)."""
    period = period_key(subscription.frequency, now)
    if subscription.last_period == period:
        return "done"
    digest = digest_for(subscription, now)
    if dry_run:
        return "would send" if digest else "empty"
    previous = subscription.last_period
    # The claim: one run wins the period, whatever else runs at the same time.
    claimed = EmailDigest.objects.filter(
        pk=subscription.pk, frequency=subscription.frequency, last_period=previous
    ).update(last_period=period)
    if claimed != 1:
        return "done"
    if digest is None:
        return "empty"
    try:
        digest_email(digest).send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        EmailDigest.objects.filter(pk=subscription.pk, last_period=period).update(last_period=previous)
        logger.warning("digest for %s failed: %s", subscription.user_id, exc)
        return "failed"
    EmailDigest.objects.filter(pk=subscription.pk).update(last_sent_at=now)
    return "sent"


def digests_send(*, now: datetime | None = None, dry_run: bool = False) -> DigestRun:
    """Every daily and weekly subscriber's digest for the current period (batches by id)."""
    now = now or timezone.now()
    run = DigestRun(would_send=[] if dry_run else None)
    after = None
    while True:
        batch = EmailDigest.objects.filter(frequency__in=[Frequency.DAILY, Frequency.WEEKLY])
        if after is not None:
            batch = batch.filter(id__gt=after)
        rows = list(batch.order_by("id").prefetch_related("user")[:BATCH])
        if not rows:
            return run
        after = rows[-1].pk
        for subscription in rows:
            outcome = digest_send(subscription=subscription, now=now, dry_run=dry_run)
            if outcome == "sent":
                run.sent += 1
            elif outcome == "failed":
                run.failed += 1
            elif outcome == "empty":
                run.empty += 1
            elif outcome == "would send":
                run.would_send.append((subscription.user.email, subscription.frequency))
