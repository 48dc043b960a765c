"""Every social write. Keyword-only, ``<thing>_<action>``.

Counter rule: the document that proves an action (a Like, a Follow, a Save...) is
written first under a unique index; only when that insert (or the delete that
removed exactly one document) succeeded is the counter changed, with an atomic
``$inc`` (``F()`` update). Duplicates raise IntegrityError and change nothing, so
counters stay exact under any number of concurrent clicks without transactions
(which conflict heavily on one hot document). If a process dies between the
two steps, ``manage.py social_recount`` puts the counters back to the true counts.

Post documents are never saved whole after creation (that would overwrite
counters other requests are incrementing): updates name their fields.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import re
import secrets
import smtplib
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import File
from django.db import IntegrityError, connections
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from pymongo.errors import DuplicateKeyError

from modelsnapper.db import run_in_transaction
from social import selectors
from social.models import (
    CAPTION_MAX,
    COMMENT_MAX,
    MAX_COMMENT_DEPTH,
    MAX_TAGS,
    TAG_MAX_LENGTH,
    TITLE_MAX,
    AIDetails,
    Block,
    Comment,
    Follow,
    Group,
    GroupMembership,
    Like,
    ModerationState,
    Notification,
    NotificationOptOut,
    Post,
    PostView,
    Report,
    Save,
    SaveCollection,
    Share,
    Story,
    StoryView,
    Tag,
    trend_weight,
    view_day,
)

logger = logging.getLogger(__name__)
User = get_user_model()


class SocialError(Exception):
    """A refused action, with a message meant for the person who tried it."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- Small helpers ---------------------------------------------------------------------------------


def _user_collection():
    return connections["default"].database[User._meta.db_table]


def user_stats_add(user_id, **deltas: int) -> None:
    """Atomically add to ``User.stats`` counters in one ``$inc``.

    django-mongodb-backend 5.2.4 cannot ``update()`` an EmbeddedModelField's subfield
    with ``F()`` (FieldDoesNotExist), so this is a raw ``$inc`` on the user document.
    Decrements are not clamped at zero on purpose: an unfollow may apply its −1 before
    the racing follow's +1 lands; clamping would then lose the −1 for good, while the
    unclamped sum is exact once both have run.
    """
    changes = {f"stats.{name}": delta for name, delta in deltas.items() if delta}
    if changes:
        _user_collection().update_one({"_id": user_id}, {"$inc": changes})


def _delete_exactly_one(model, **filters) -> bool:
    """Delete one matching document; True only for the request whose delete removed it.

    Django's ``QuerySet.delete()`` may collect the rows first and report how many it
    *collected*, so two racing unlikes could both see "1 deleted". The raw
    ``delete_one`` result is the server's own count. (Used for models nothing points to.)
    """
    pk = model.objects.filter(**filters).values_list("pk", flat=True).first()
    if pk is None:
        return False
    result = connections["default"].database[model._meta.db_table].delete_one({"_id": pk})
    return result.deleted_count == 1


def _dec(model, pk, field: str, amount: int = 1, **extra_updates) -> int:
    """Decrement a counter (unclamped, for the reason given in ``user_stats_add``)."""
    return model.objects.filter(pk=pk).update(**{field: F(field) - amount}, **extra_updates)


@lru_cache(maxsize=4)
def _blocklist_pattern(path: str) -> re.Pattern | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        logger.warning("social blocklist %s not readable", path)
        return None
    words = [w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#")]
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)


def blocklist_path() -> str:
    return str(getattr(settings, "SOCIAL_BLOCKLIST_PATH", Path(__file__).with_name("blocklist.txt")))


def blocklist_check(text: str, *, field: str | None = None) -> None:
    """Refuse text containing a blocked word (whole words only), naming the word."""
    pattern = _blocklist_pattern(blocklist_path())
    if not text or pattern is None:
        return
    match = pattern.search(text)
    if match:
        raise SocialError(f"The word “{match.group(1)}” is not allowed. Please remove it.", field=field)


HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w[\w-]{0,49})", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w@])@([\w.+-]{1,150})", re.UNICODE)
TAG_RE = re.compile(r"^\w[\w-]*$", re.UNICODE)


def hashtags_in(text: str) -> list[str]:
    return [m.lower() for m in HASHTAG_RE.findall(text or "")]


def mentions_in(text: str) -> list[str]:
    names = []
    for raw in MENTION_RE.findall(text or ""):
        name = raw.rstrip(".-+")
        if name and name not in names:
            names.append(name)
    return names


def normalise_tags(tags) -> list[str]:
    """Lowercase, no leading ``#``, unique, at most 30, each ≤ 50 word characters."""
    result: list[str] = []
    for raw in tags or []:
        tag = str(raw).strip().lstrip("#").strip().lower()
        if not tag:
            continue
        if len(tag) > TAG_MAX_LENGTH or not TAG_RE.match(tag):
            raise SocialError(f"“{tag[:60]}” is not a valid tag (letters, digits, _ and -).", field="tags")
        if tag not in result:
            result.append(tag)
    if len(result) > MAX_TAGS:
        raise SocialError(f"At most {MAX_TAGS} tags per post (you have {len(result)}).", field="tags")
    return result


def tag_usage_add(names, delta: int = 1, *, at=None) -> None:
    """Usage counters and trending score, one atomic upsert per tag."""
    if not names:
        return
    at = at or timezone.now()
    collection = connections["default"].database[Tag._meta.db_table]
    weight = trend_weight(at)
    for name in names:
        if delta > 0:
            update = {
                "$inc": {"usage_count": delta, "trending_score": weight * delta},
                "$set": {"last_used": at},
                "$setOnInsert": {"category": "general", "is_featured": False, "created_at": at},
            }
            for _ in range(2):  # two first uses racing: the loser of the upsert retries as an update
                try:
                    collection.update_one({"name": name}, update, upsert=True)
                    break
                except DuplicateKeyError:
                    continue
        else:
            collection.update_one({"name": name}, {"$inc": {"usage_count": delta}})


# --- Notifications -----------------------------------------------------------------------------------


def _post_url(post_id) -> str:
    return reverse("social:post_detail", kwargs={"post_id": post_id})


def notification_create(
    *,
    recipient,
    kind: str,
    actor=None,
    target_type: str = "",
    target_id: Any = "",
    text: str = "",
    url: str = "",
) -> Notification:
    """Store a notification; e-mail it unless the recipient opted out (globally or for the kind)."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not url and target_type == "post" and target_id:
        url = _post_url(target_id)
    wants_email = notification_wants_email(recipient, kind)
    notification = Notification.objects.create(
        recipient=recipient,
        actor=actor,
        kind=kind,
        target_type=target_type,
        target_id=str(target_id or ""),
        text=text[:300],
        url=url,
        email_status=Notification.EmailStatus.PENDING if wants_email else Notification.EmailStatus.NONE,
    )
    if wants_email:
        from social.tasks import send_notification_email

        try:
            send_notification_email.delay(str(notification.pk))
        except Exception:  # a broker outage must not undo the like/follow that caused this
            logger.exception("could not enqueue e-mail for notification %s", notification.pk)
    return notification


def notification_wants_email(recipient, kind: str) -> bool:
    prefs = getattr(recipient, "preferences", None)
    if prefs is not None and not getattr(prefs, "email_notifications", True):
        return False
    return not NotificationOptOut.objects.filter(user=recipient, kind=kind).exists()


# How long a worker holds a notification it is e-mailing; past it, a worker that died
# mid-send is presumed gone and another may send. Longer than any SMTP timeout.
EMAIL_LEASE = timedelta(minutes=5)


class EmailDeliveryError(Exception):
    """The mail server did not take the message; the notification is pending again."""


def absolute_url(path: str) -> str:
    """A link that works outside the site (e-mails): ``SITE_URL`` + the path."""
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def notification_email_content(notification: Notification) -> tuple[str, str]:
    """Subject and body: the subject says what happened, every link is absolute."""
    subject = notification.text or notification.get_kind_display()
    lines = [notification.text]
    if notification.url:
        lines += ["", absolute_url(notification.url)]
    settings_url = absolute_url(reverse("social:notification_settings"))
    lines += ["", f"Change which e-mails you get: {settings_url}"]
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
            text=f"{actor.username} mentioned you",
            url=url,
        )


# --- Posts ----------------------------------------------------------------------------------------------


VIDEO_TYPES = {"video/mp4", "video/webm"}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
EXTENSION_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "webm": "video/webm",
}


def _media_type_for(media) -> str:
    content_type = getattr(media, "content_type", "") or ""
    if content_type in VIDEO_TYPES | IMAGE_TYPES:
        return content_type
    name = getattr(media, "name", "") or ""
    return EXTENSION_TYPES.get(name.rsplit(".", 1)[-1].lower(), "")


def _validate_post_fields(*, category, caption, title, visibility, status) -> None:
    if category not in Post.Category.values:
        raise SocialError("Choose a post category.", field="category")
    if visibility not in Post.Visibility.values:
        raise SocialError("Choose who can see the post.", field="visibility")
    if status not in Post.Status.values:
        raise SocialError("Choose draft, published or archived.", field="status")
    if len(caption or "") > CAPTION_MAX:
        raise SocialError(
            f"The caption is {len(caption)} characters; the limit is {CAPTION_MAX:,}.", field="caption"
        )
    if len(title or "") > TITLE_MAX:
        raise SocialError(f"The title is {len(title)} characters; the limit is {TITLE_MAX}.", field="title")
    blocklist_check(title, field="title")
    blocklist_check(caption, field="caption")


def post_create(
    *,
    author,
    category: str,
    caption: str,
    title: str = "",
    media=None,
    visibility: str = "public",
    status: str = "published",
    ai_details: dict | None = None,
    tags=None,
    location_name: str = "",
    thumbnail=None,
    group: Group | None = None,
    source_image: str = "",
) -> Post:
    """Create a post. ``media``/``thumbnail`` are already validated files (forms validate uploads).

    ``ai_details`` (model, prompt, parameters, cost, seed[, generation_id]) marks the post as
    AI-generated; the generation app passes it when a user publishes a generation.
    """
    caption = caption or ""
    _validate_post_fields(
        category=category, caption=caption, title=title, visibility=visibility, status=status
    )
    if category in Post.VIDEO_CATEGORIES and media is None:
        raise SocialError("A video post needs a video file.", field="media")
    if category in Post.IMAGE_CATEGORIES and media is None:
        raise SocialError("An image post needs an image.", field="media")
    if category == Post.Category.TEXT and not (caption.strip() or title.strip()):
        raise SocialError("Write something for a text post.", field="caption")
    all_tags = normalise_tags(list(tags or []) + hashtags_in(caption))
    if group is not None and selectors.active_member(author, group) is None:
        raise SocialError("Join the group before posting in it.")
    now = timezone.now()
    post = Post(
        author=author,
        group=group,
        category=category,
        caption=caption,
        title=title or "",
        visibility=visibility,
        status=status,
        tags=all_tags,
        location_name=location_name or "",
        source_image=source_image,
        closed_group=bool(group and group.visibility != Group.Visibility.PUBLIC),
        created_at=now,
        updated_at=now,
        published_at=now if status == Post.Status.PUBLISHED else None,
    )
    if ai_details:
        known = {
            k: ai_details[k]
            for k in ("model", "prompt", "parameters", "cost", "seed", "generation_id")
            if k in ai_details
        }
        known["seed"] = str(known.get("seed", "") or "")
        known["generation_id"] = str(known.get("generation_id", "") or "")
        post.ai_details = AIDetails(**known)
        post.ai_generated = True
    if media is not None:
        post.media_type = _media_type_for(media)
    post.compute_flags()
    post.save()
    # File names include the author id (private/<author>/...): save files once the row exists.
    if media is not None or thumbnail is not None:
        if media is not None:
            post.media.save(Path(getattr(media, "name", "") or "media").name, _as_file(media), save=False)
        if thumbnail is not None:
            post.thumbnail.save(
                Path(getattr(thumbnail, "name", "") or "thumb.png").name, _as_file(thumbnail), save=False
            )
        Post.objects.filter(pk=post.pk).update(media=post.media.name, thumbnail=post.thumbnail.name)
    if post.live:
        user_stats_add(author.pk, posts=1)
        tag_usage_add(all_tags)
    if group is not None:
        Group.objects.filter(pk=group.pk).update(posts_count=F("posts_count") + 1)
    if post.live:
        _notify_mentions(
            actor=author,
            text=f"{title} {caption}",
            target_type="post",
            target_id=post.pk,
            url=_post_url(post.pk),
        )
    return post


def _as_file(obj):
    return obj if isinstance(obj, File) else File(obj)


def _apply_post_changes(post: Post, changes: dict) -> None:
    """Write named fields and the recomputed flags; keep stats.posts and tag usage in step."""
    was_live, old_tags = post.live, list(post.tags)
    for name, value in changes.items():
        setattr(post, name, value)
    post.compute_flags()
    changes.update(live=post.live, listed=post.listed, updated_at=timezone.now())
    Post.objects.filter(pk=post.pk).update(**changes)
    if was_live != post.live:
        user_stats_add(post.author_id, posts=1 if post.live else -1)
    if was_live and not post.live:
        tag_usage_add(old_tags, -1)
    elif post.live and not was_live:
        tag_usage_add(post.tags)
    elif post.live:
        tag_usage_add([t for t in post.tags if t not in old_tags])
        tag_usage_add([t for t in old_tags if t not in post.tags], -1)


def post_update(
    *,
    post: Post,
    editor,
    caption: str | None = None,
    title: str | None = None,
    visibility: str | None = None,
    status: str | None = None,
    tags=None,
    location_name: str | None = None,
) -> Post:
    if editor.pk != post.author_id:
        raise SocialError("Only the author can edit this post.")
    if post.deleted_at is not None:
        raise SocialError("This post was deleted.")
    caption = post.caption if caption is None else caption
    title = post.title if title is None else title
    visibility = visibility or post.visibility
    status = status or post.status
    _validate_post_fields(
        category=post.category, caption=caption, title=title, visibility=visibility, status=status
    )
    base_tags = post.tags if tags is None else list(tags)
    new_tags = normalise_tags(list(base_tags) + hashtags_in(caption))
    changes: dict[str, Any] = {
        "caption": caption,
        "title": title,
        "visibility": visibility,
        "status": status,
        "tags": new_tags,
        "edited_at": timezone.now(),
    }
    if location_name is not None:
        changes["location_name"] = location_name
    if status == Post.Status.PUBLISHED and post.published_at is None:
        changes["published_at"] = timezone.now()
    _apply_post_changes(post, changes)
    return post


def post_delete(*, post: Post, by) -> None:
    """Soft delete by the author or staff: gone from every page, counters follow."""
    if by.pk != post.author_id and not by.is_staff:
        raise SocialError("Only the author can delete this post.")
    if post.deleted_at is not None:
        return
    if Post.objects.filter(pk=post.pk, deleted_at=None).update(deleted_at=timezone.now()) != 1:
        return  # a concurrent delete won
    was_live = post.live
    post.deleted_at = timezone.now()
    post.compute_flags()
    # source_image "" frees the generated image to be published again (one live post per image).
    Post.objects.filter(pk=post.pk).update(live=post.live, listed=post.listed, source_image="")
    if was_live:
        user_stats_add(post.author_id, posts=-1)
        tag_usage_add(post.tags, -1)
    if post.group_id:
        _dec(Group, post.group_id, "posts_count")


def post_set_featured(*, post: Post, featured: bool, by) -> None:
    if not by.is_staff:
        raise SocialError("Only staff can feature posts.")
    Post.objects.filter(pk=post.pk).update(is_featured=featured)
    post.is_featured = featured


def visitor_fingerprint(*, ip: str, user_agent: str) -> str:
    """An anonymous visitor as address + browser, keyed-hashed: counted without storing either."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{ip}|{user_agent}".encode(), hashlib.sha256).hexdigest()[:40]


def post_record_view(*, post: Post, viewer, client_key: str, at: datetime | None = None) -> bool:
    """Count a view once per viewer, post and UTC day (never the author's own); True if counted.

    The viewer is the signed-in user, else ``client_key`` (``visitor_fingerprint``). The
    PostView insert under its unique index is the proof; only the request whose insert
    succeeded adds to ``views_count`` and ``hot``, so reloading cannot inflate either.
    """
    if getattr(viewer, "pk", None) == post.author_id:
        return False
    viewer_key = f"u:{viewer.pk}" if getattr(viewer, "is_authenticated", False) else f"a:{client_key}"
    try:
        PostView.objects.create(
            post=post, viewer_key=viewer_key[: PostView.VIEWER_KEY_MAX], day=view_day(at or timezone.now())
        )
    except IntegrityError:
        return False
    Post.objects.filter(pk=post.pk).update(views_count=F("views_count") + 1, hot=F("hot") + 1)
    user_stats_add(post.author_id, views=1)
    return True


def post_share(*, post: Post, user) -> bool:
    """Count a share once per person; returns whether this one was new."""
    try:
        Share.objects.create(user=user, post=post)
    except IntegrityError:
        return False
    Post.objects.filter(pk=post.pk).update(shares_count=F("shares_count") + 1, hot=F("hot") + 50)
    if user.pk != post.author_id:
        notification_create(
            recipient=post.author,
            kind=Notification.Kind.SHARE,
            actor=user,
            target_type="post",
            target_id=post.pk,
            text=f"{user.username} shared your post",
        )
    return True


# --- Likes ------------------------------------------------------------------------------------------------


def _like_target(target) -> tuple[str, Any, Any, Post]:
    if isinstance(target, Post):
        return Like.Target.POST, target.pk, target.author_id, target
    if isinstance(target, Comment):
        return Like.Target.COMMENT, target.pk, target.author_id, target.post
    raise TypeError("likes are on posts or comments")


def _like_allowed(user, post: Post) -> None:
    if not selectors.can_view_post(user, post):
        raise SocialError("You can't like this.")


def like_add(*, user, target) -> None:
    """Like a post or comment. Liking twice is refused and changes nothing."""
    target_type, target_id, author_id, post = _like_target(target)
    _like_allowed(user, post)
    if target_type == Like.Target.COMMENT and not target.is_shown:
        raise SocialError("This comment is no longer available.")
    try:
        Like.objects.create(user=user, target_type=target_type, target_id=target_id)
    except IntegrityError:
        raise SocialError("You already like this.") from None
    if target_type == Like.Target.POST:
        Post.objects.filter(pk=target_id).update(likes_count=F("likes_count") + 1, hot=F("hot") + 20)
    else:
        Comment.objects.filter(pk=target_id).update(likes_count=F("likes_count") + 1)
    user_stats_add(author_id, likes_received=1)
    if author_id != user.pk:
        notification_create(
            recipient=target.author,
            kind=Notification.Kind.LIKE,
            actor=user,
            target_type="post",
            target_id=post.pk,
            text=f"{user.username} liked your {'post' if target_type == Like.Target.POST else 'comment'}",
        )


def like_remove(*, user, target) -> bool:
    """Unlike; returns False (and changes nothing) when there was no like."""
    target_type, target_id, author_id, _ = _like_target(target)
    if not _delete_exactly_one(Like, user=user, target_type=target_type, target_id=target_id):
        return False
    if target_type == Like.Target.POST:
        Post.objects.filter(pk=target_id).update(likes_count=F("likes_count") - 1, hot=F("hot") - 20)
    else:
        _dec(Comment, target_id, "likes_count")
    user_stats_add(author_id, likes_received=-1)
    return True


def like_toggle(*, user, target) -> bool:
    """Returns True when the target is now liked."""
    if Like.objects.filter(user=user, target_type=_like_target(target)[0], target_id=target.pk).exists():
        like_remove(user=user, target=target)
        return False
    try:
        like_add(user=user, target=target)
    except SocialError as exc:
        if "already" in exc.message:
            return True
        raise
    return True


# --- Comments --------------------------------------------------------------------------------------------


def comment_create(*, author, post: Post, text: str, parent: Comment | None = None) -> Comment:
    text = (text or "").strip()
    if not text:
        raise SocialError("Write a comment first.", field="text")
    if len(text) > COMMENT_MAX:
        raise SocialError(f"Comments are limited to {COMMENT_MAX:,} characters.", field="text")
    if not selectors.can_view_post(author, post):
        raise SocialError("You can't comment on this post.")
    if author.pk != post.author_id and selectors.is_blocked_between(author, post.author):
        raise SocialError("You can't comment on this post.")
    blocklist_check(text, field="text")
    depth = 1
    root_id = None
    if parent is not None:
        if parent.post_id != post.pk or not parent.is_shown:
            raise SocialError("That comment is no longer available.")
        depth = parent.depth + 1
        if depth > MAX_COMMENT_DEPTH:
            raise SocialError(
                f"Replies can be nested at most {MAX_COMMENT_DEPTH} levels deep; reply higher up the thread."
            )
        root_id = parent.root_id or parent.pk
    comment = Comment.objects.create(
        post=post, author=author, parent=parent, root_id=root_id, depth=depth, text=text
    )
    Post.objects.filter(pk=post.pk).update(comments_count=F("comments_count") + 1, hot=F("hot") + 30)
    if parent is not None:
        Comment.objects.filter(pk=parent.pk).update(replies_count=F("replies_count") + 1)
    notified = {author.pk}
    url = _post_url(post.pk) + f"#comment-{comment.pk}"
    if parent is not None and parent.author_id not in notified:
        notification_create(
            recipient=parent.author,
            kind=Notification.Kind.REPLY,
            actor=author,
            target_type="post",
            target_id=post.pk,
            text=f"{author.username} replied to your comment",
            url=url,
        )
        notified.add(parent.author_id)
    if post.author_id not in notified:
        notification_create(
            recipient=post.author,
            kind=Notification.Kind.COMMENT,
            actor=author,
            target_type="post",
            target_id=post.pk,
            text=f"{author.username} commented on your post",
            url=url,
        )
        notified.add(post.author_id)
    _notify_mentions(actor=author, text=text, target_type="post", target_id=post.pk, url=url, skip=notified)
    return comment


def comment_edit(*, comment: Comment, editor, text: str) -> Comment:
    if editor.pk != comment.author_id:
        raise SocialError("Only the author can edit this comment.")
    if not comment.is_shown:
        raise SocialError("This comment is no longer available.")
    text = (text or "").strip()
    if not text:
        raise SocialError("A comment can't be empty.", field="text")
    if len(text) > COMMENT_MAX:
        raise SocialError(f"Comments are limited to {COMMENT_MAX:,} characters.", field="text")
    blocklist_check(text, field="text")
    now = timezone.now()
    Comment.objects.filter(pk=comment.pk).update(text=text, edited_at=now)
    comment.text, comment.edited_at = text, now
    return comment


def comment_delete(*, comment: Comment, by) -> None:
    """Soft delete by its author, the post's author or staff; replies stay, marked as a deleted parent."""
    if by.pk not in (comment.author_id, comment.post.author_id) and not by.is_staff:
        raise SocialError("You can't delete this comment.")
    now = timezone.now()
    # A comment moderators hid already left the post's count: only deleting a shown one takes
    # it off. The state is checked in the write itself, so a racing hide cannot count it twice.
    if Comment.objects.filter(pk=comment.pk, deleted_at=None, moderation_state=ModerationState.OK).update(
        deleted_at=now
    ):
        Post.objects.filter(pk=comment.post_id).update(
            comments_count=F("comments_count") - 1, hot=F("hot") - 30
        )
    elif Comment.objects.filter(pk=comment.pk, deleted_at=None).update(deleted_at=now) != 1:
        return
    if comment.parent_id:
        _dec(Comment, comment.parent_id, "replies_count")


# --- Follows and blocks ----------------------------------------------------------------------------------


def follow_create(*, follower, following) -> Follow:
    if follower.pk == following.pk:
        raise SocialError("You can't follow yourself.")
    if following.deleted_at is not None or not following.is_active:
        raise SocialError("This account is not available.")
    if selectors.is_blocked_between(follower, following):
        raise SocialError("You can't follow this person.")
    try:
        follow = Follow.objects.create(follower=follower, following=following)
    except IntegrityError:
        raise SocialError(f"You already follow {following.username}.") from None
    selectors.following_ids_forget(follower.pk)
    user_stats_add(follower.pk, following=1)
    user_stats_add(following.pk, followers=1)
    notification_create(
        recipient=following,
        kind=Notification.Kind.FOLLOW,
        actor=follower,
        target_type="user",
        target_id=follower.pk,
        text=f"{follower.username} started following you",
        url=reverse("social:profile_posts", kwargs={"username": follower.username}),
    )
    return follow


def follow_delete(*, follower, following) -> bool:
    if not _delete_exactly_one(Follow, follower=follower, following=following):
        return False
    selectors.following_ids_forget(follower.pk)
    user_stats_add(follower.pk, following=-1)
    user_stats_add(following.pk, followers=-1)
    return True


def follow_toggle(*, follower, following) -> bool:
    """Returns True when ``follower`` now follows ``following``."""
    if follow_delete(follower=follower, following=following):
        return False
    try:
        follow_create(follower=follower, following=following)
    except SocialError as exc:
        if "already" in exc.message:
            return True
        raise
    return True


def block_create(*, blocker, blocked) -> None:
    """Block: they can no longer see, follow or comment on me; follows both ways end."""
    if blocker.pk == blocked.pk:
        raise SocialError("You can't block yourself.")
    try:
        Block.objects.create(blocker=blocker, blocked=blocked)
    except IntegrityError:
        return
    follow_delete(follower=blocker, following=blocked)
    follow_delete(follower=blocked, following=blocker)


def block_delete(*, blocker, blocked) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


# --- Saves -------------------------------------------------------------------------------------------------


def collection_get_or_create(*, user, name: str) -> SaveCollection:
    name = (name or "").strip() or SaveCollection.DEFAULT_NAME
    if len(name) > 60:
        raise SocialError("Collection names are limited to 60 characters.", field="collection")
    existing = SaveCollection.objects.filter(user=user, name=name).first()
    if existing:
        return existing
    try:
        return SaveCollection.objects.create(user=user, name=name)
    except IntegrityError:
        return SaveCollection.objects.get(user=user, name=name)


def save_create(*, user, post: Post, collection_name: str = "", notes: str = "") -> Save:
    if not selectors.can_view_post(user, post):
        raise SocialError("You can't save this post.")
    if len(notes or "") > 500:
        raise SocialError("Notes are limited to 500 characters.", field="notes")
    collection = collection_get_or_create(user=user, name=collection_name)
    try:
        save = Save.objects.create(user=user, post=post, collection=collection, notes=notes or "")
    except IntegrityError:
        raise SocialError("You already saved this post.") from None
    Post.objects.filter(pk=post.pk).update(saves_count=F("saves_count") + 1)
    SaveCollection.objects.filter(pk=collection.pk).update(saves_count=F("saves_count") + 1)
    return save


def save_delete(*, user, post: Post) -> bool:
    save = Save.objects.filter(user=user, post=post).first()
    if save is None:
        return False
    if not _delete_exactly_one(Save, pk=save.pk):
        return False
    _dec(Post, post.pk, "saves_count")
    _dec(SaveCollection, save.collection_id, "saves_count")
    return True


# --- Stories --------------------------------------------------------------------------------------------------


def story_lifetime() -> timedelta:
    return timedelta(seconds=getattr(settings, "SOCIAL_STORY_LIFETIME_SECONDS", 24 * 3600))


COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def story_create(
    *,
    author,
    kind: str,
    text: str = "",
    background_color: str = "#4f46e5",
    media=None,
    visibility: str = "all",
) -> Story:
    if kind not in Story.Kind.values:
        raise SocialError("Choose image, video or text.", field="kind")
    if visibility not in Story.Visibility.values:
        raise SocialError("Choose who can see the story.", field="visibility")
    if not COLOR_RE.match(background_color or ""):
        raise SocialError("Pick a colour like #4f46e5.", field="background_color")
    if kind == Story.Kind.TEXT and not (text or "").strip():
        raise SocialError("Write the story's text.", field="text")
    if kind != Story.Kind.TEXT and media is None:
        raise SocialError("Add the picture or video.", field="media")
    blocklist_check(text, field="text")
    now = timezone.now()
    story = Story.objects.create(
        author=author,
        kind=kind,
        text=text or "",
        background_color=background_color,
        visibility=visibility,
        created_at=now,
        expires_at=now + story_lifetime(),
        media_type=_media_type_for(media) if media is not None else "",
    )
    if media is not None:
        story.media.save(Path(getattr(media, "name", "") or "story").name, _as_file(media), save=False)
        Story.objects.filter(pk=story.pk).update(media=story.media.name)
    return story


def story_media_purge(*, now=None, batch: int = 500) -> int:
    """Delete the media files of expired stories; returns how many were deleted.

    A story disappears from every page when it expires; its file must leave
    storage too (GridFS or S3 keep nothing on their own). The record stays a week
    longer (its TTL index) so this finds it; clearing ``media`` with a conditional
    update makes a second run, or a concurrent one, a no-op.
    """
    now = now or timezone.now()
    expired = Story.objects.filter(expires_at__lte=now).exclude(media="").only("pk", "media")[:batch]
    purged = 0
    for story in expired:
        name = story.media.name
        story.media.storage.delete(name)
        purged += Story.objects.filter(pk=story.pk, media=name).update(media="")
    return purged


def story_record_view(*, story: Story, viewer) -> bool:
    """Count each viewer once; the author's own views don't count."""
    if viewer.pk == story.author_id:
        return False
    try:
        StoryView.objects.create(story=story, viewer=viewer, expires_at=story.expires_at)
    except IntegrityError:
        return False
    Story.objects.filter(pk=story.pk).update(views_count=F("views_count") + 1)
    return True


# --- Groups -----------------------------------------------------------------------------------------------------


GROUP_SLUG_ATTEMPTS = 5
_SLUG_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _group_slug(name: str) -> str:
    """The name's slug plus a random suffix, for every group.

    Never derived from which slugs are taken: "-2" would tell the creator that a group they
    cannot see (a secret one) already has the name. 36⁶ suffixes make a collision rare; the
    unique index catches one and the caller draws again.
    """
    suffix = "".join(secrets.choice(_SLUG_SUFFIX_ALPHABET) for _ in range(6))
    return f"{slugify(name)[:100] or 'group'}-{suffix}"


def group_create(
    *,
    creator,
    name: str,
    description: str = "",
    visibility: str = "public",
    join_approval_required: bool = False,
    category: str = "General",
    tags=None,
    avatar=None,
    cover_image=None,
) -> Group:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise SocialError("Give the group a name of at most 100 characters.", field="name")
    if visibility not in Group.Visibility.values:
        raise SocialError("Choose public, private or secret.", field="visibility")
    if category not in Group.Category.values:
        raise SocialError("Choose a category.", field="category")
    blocklist_check(name, field="name")
    blocklist_check(description, field="description")
    tags = normalise_tags(tags)

    def create(slug: str) -> Group:
        group = Group.objects.create(
            name=name,
            slug=slug,
            description=description or "",
            creator=creator,
            visibility=visibility,
            join_approval_required=join_approval_required,
            category=category,
            tags=tags,
            members_count=1,
            admins_count=1,
        )
        GroupMembership.objects.create(
            group=group,
            user=creator,
            role=GroupMembership.Role.ADMIN,
            status=GroupMembership.Status.ACTIVE,
            joined_at=timezone.now(),
        )
        return group

    # The group and its admin in one transaction: never a group nobody can manage.
    for attempt in range(GROUP_SLUG_ATTEMPTS):
        slug = _group_slug(name)
        try:
            group = run_in_transaction(lambda slug=slug: create(slug))
            break
        except IntegrityError:  # the random suffix collided (unique slug index): draw again
            if attempt == GROUP_SLUG_ATTEMPTS - 1:
                raise
    for field_name, upload in (("avatar", avatar), ("cover_image", cover_image)):
        if upload is not None:
            getattr(group, field_name).save(Path(upload.name).name, _as_file(upload), save=False)
            Group.objects.filter(pk=group.pk).update(**{field_name: getattr(group, field_name).name})
    return group


def group_join(*, user, group: Group) -> GroupMembership:
    """Public groups: join at once (or ask, when approval is on). Private: ask. Secret: invitation only."""
    existing = GroupMembership.objects.filter(group=group, user=user).first()
    if existing is not None:
        if existing.status == GroupMembership.Status.INVITED:
            if (
                GroupMembership.objects.filter(pk=existing.pk, status=GroupMembership.Status.INVITED).update(
                    status=GroupMembership.Status.ACTIVE, joined_at=timezone.now()
                )
                == 1
            ):
                Group.objects.filter(pk=group.pk).update(members_count=F("members_count") + 1)
            existing.refresh_from_db()
            return existing
        if existing.status == GroupMembership.Status.ACTIVE:
            raise SocialError("You are already a member.")
        raise SocialError("Your request to join is waiting for approval.")
    if group.visibility == Group.Visibility.SECRET:
        raise SocialError("This group is invitation only.")
    needs_approval = group.visibility == Group.Visibility.PRIVATE or group.join_approval_required
    status = GroupMembership.Status.PENDING if needs_approval else GroupMembership.Status.ACTIVE
    try:
        membership = GroupMembership.objects.create(
            group=group, user=user, status=status, joined_at=None if needs_approval else timezone.now()
        )
    except IntegrityError:
        raise SocialError("You already asked to join or are a member.") from None
    if not needs_approval:
        Group.objects.filter(pk=group.pk).update(members_count=F("members_count") + 1)
    return membership


def _manager(by, group: Group) -> GroupMembership:
    membership = GroupMembership.objects.filter(group=group, user=by).first()
    if membership is None or not membership.can_manage:
        raise SocialError("Only the group's admins and moderators can do that.")
    return membership


def _admin_seat_release(group_id, refusal: str) -> None:
    """One admin fewer, refused when it is the last one. Call inside the transaction that
    changes the admin's membership: the conditional update is the guard, so of two admins
    stepping down at once the second sees a count of 1 and is refused."""
    if Group.objects.filter(pk=group_id, admins_count__gt=1).update(admins_count=F("admins_count") - 1) != 1:
        raise SocialError(refusal)


def _membership_end(membership: GroupMembership, *, refusal: str) -> bool:
    """Delete a membership with members_count and admins_count in one transaction.

    The delete matches the role and status read before, so a membership that changed
    meanwhile is left alone (False) rather than counted with stale values.
    """

    def end() -> bool:
        deleted, _ = GroupMembership.objects.filter(
            pk=membership.pk, role=membership.role, status=membership.status
        ).delete()
        if not deleted:
            return False
        if membership.is_active:
            if membership.role == GroupMembership.Role.ADMIN:
                _admin_seat_release(membership.group_id, refusal)
            _dec(Group, membership.group_id, "members_count")
        return True

    return run_in_transaction(end)


def group_leave(*, user, group: Group) -> None:
    membership = GroupMembership.objects.filter(group=group, user=user).first()
    if membership is None:
        raise SocialError("You are not a member.")
    if not _membership_end(
        membership, refusal="You are the only admin: make another member admin before leaving."
    ):
        raise SocialError("Your membership just changed; please try again.")


def group_approve(*, by, membership: GroupMembership) -> None:
    _manager(by, membership.group)
    changed = GroupMembership.objects.filter(pk=membership.pk, status=GroupMembership.Status.PENDING).update(
        status=GroupMembership.Status.ACTIVE, joined_at=timezone.now()
    )
    if changed != 1:
        raise SocialError("That request was already handled.")
    Group.objects.filter(pk=membership.group_id).update(members_count=F("members_count") + 1)


def group_remove_member(*, by, membership: GroupMembership) -> None:
    """Remove a member or refuse a request. Only admins remove admins or moderators."""
    manager = _manager(by, membership.group)
    if membership.user_id == by.pk:
        raise SocialError("Use “Leave” to leave the group.")
    if membership.role != GroupMembership.Role.MEMBER and manager.role != GroupMembership.Role.ADMIN:
        raise SocialError("Only admins can remove admins and moderators.")
    _membership_end(membership, refusal="A group keeps at least one admin: make another member admin first.")


def group_set_role(*, by, membership: GroupMembership, role: str) -> None:
    manager = _manager(by, membership.group)
    if manager.role != GroupMembership.Role.ADMIN:
        raise SocialError("Only admins change roles.")
    if role not in GroupMembership.Role.values or not membership.is_active:
        raise SocialError("Choose admin, moderator or member for an active member.")
    admin = GroupMembership.Role.ADMIN
    if role == membership.role:
        return

    def change() -> None:
        # Conditional on the role read above: a concurrent change makes this one a refusal.
        if (
            GroupMembership.objects.filter(
                pk=membership.pk, role=membership.role, status=GroupMembership.Status.ACTIVE
            ).update(role=role)
            != 1
        ):
            raise SocialError("That member's role just changed; look again.")
        if membership.role == admin:
            refusal = (
                "You are the only admin: make another member admin first."
                if membership.user_id == by.pk
                else "A group keeps at least one admin: make another member admin first."
            )
            _admin_seat_release(membership.group_id, refusal)
        elif role == admin:
            Group.objects.filter(pk=membership.group_id).update(admins_count=F("admins_count") + 1)

    run_in_transaction(change)


def group_invite(*, by, group: Group, user) -> GroupMembership:
    _manager(by, group)
    if selectors.is_blocked_between(by, user):
        raise SocialError("You can't invite this person.")
    try:
        membership = GroupMembership.objects.create(
            group=group, user=user, status=GroupMembership.Status.INVITED, invited_by=by
        )
    except IntegrityError:
        raise SocialError(f"{user.username} is already a member or invited.") from None
    notification_create(
        recipient=user,
        kind=Notification.Kind.GROUP_INVITE,
        actor=by,
        target_type="group",
        target_id=group.pk,
        text=f"{by.username} invited you to {group.name}",
        url=group.get_absolute_url(),
    )
    return membership


# --- Moderation ----------------------------------------------------------------------------------------------------


def report_create(*, reporter, target_type: str, target_id, reason: str, details: str = "") -> Report:
    if target_type not in Report.Target.values:
        raise SocialError("You can report a post, a comment or a person.")
    if reason not in Report.Reason.values:
        raise SocialError("Choose a reason.", field="reason")
    try:
        return Report.objects.create(
            reporter=reporter,
            target_type=target_type,
            target_id=str(target_id),
            reason=reason,
            details=(details or "")[:1000],
        )
    except IntegrityError:
        raise SocialError("You already reported this; our moderators will look at it.") from None


MODERATION_ACTIONS = {
    "hide": ModerationState.HIDDEN,
    "remove": ModerationState.REMOVED,
    "restore": ModerationState.OK,
}


def moderation_apply(*, by, target_type: str, target_id, action: str, reason: str) -> None:
    """Hide, remove or restore a post or comment; the author is told why."""
    if not by.is_staff:
        raise SocialError("Only staff moderate.")
    state = MODERATION_ACTIONS[action]
    reason = (reason or "").strip()
    if action != "restore" and not reason:
        raise SocialError("Give the author a reason.")
    oid = selectors.parse_object_id(target_id)
    if target_type == "post":
        post = Post.objects.get(pk=oid)
        _apply_post_changes(post, {"moderation_state": state, "moderation_reason": reason})
        author, url, what = post.author, _post_url(post.pk), "post"
    elif target_type == "comment":
        comment = Comment.objects.get(pk=oid)
        # The counter follows the write that changed "shown" (checked in its filter), so a
        # racing delete or second moderator cannot move comments_count twice.
        live = Comment.objects.filter(pk=comment.pk, deleted_at=None)
        change = {"moderation_state": state, "moderation_reason": reason}
        if state != ModerationState.OK and live.filter(moderation_state=ModerationState.OK).update(**change):
            Post.objects.filter(pk=comment.post_id).update(
                comments_count=F("comments_count") - 1, hot=F("hot") - 30
            )
        elif state == ModerationState.OK and live.exclude(moderation_state=ModerationState.OK).update(
            **change
        ):
            Post.objects.filter(pk=comment.post_id).update(
                comments_count=F("comments_count") + 1, hot=F("hot") + 30
            )
        else:
            Comment.objects.filter(pk=comment.pk).update(**change)
        author, url, what = comment.author, _post_url(comment.post_id), "comment"
    else:
        raise SocialError("Only posts and comments can be hidden or removed here.")
    verb = {"hide": "hidden", "remove": "removed", "restore": "restored"}[action]
    text = f"Your {what} was {verb} by moderators." + (f" Reason: {reason}" if reason else "")
    notification_create(
        recipient=author,
        kind=Notification.Kind.MODERATION,
        target_type=what,
        target_id=oid,
        text=text,
        url=url,
    )


def report_resolve(*, by, report: Report, action: str, reason: str = "") -> None:
    """Staff queue: act on the reported thing (hide/remove/restore) or dismiss the report."""
    if action == "dismiss":
        status = Report.Status.DISMISSED
    else:
        moderation_apply(
            by=by,
            target_type=report.target_type,
            target_id=report.target_id,
            action=action,
            reason=reason or report.get_reason_display(),
        )
        status = Report.Status.ACTIONED
    Report.objects.filter(pk=report.pk).update(
        status=status, resolution=reason or action, handled_by=by, handled_at=timezone.now()
    )


# --- Account deletion ------------------------------------------------------------------------------------------------


def user_content_hide(*, user) -> None:
    """Hide everything ``user`` shows other people, for a deleted account; the documents stay.

    Each step goes through the service that owns it, so every counter moves exactly as
    if the person had undone it themselves: posts and comments are soft-deleted (their
    post count, tag usage, the group's post count, comments_count on other people's
    posts), follows end both ways (follower/following counts), group memberships end
    (member counts), likes are taken back (likes lists, likes_count, likes_received)
    and stories expire now. Safe to run again: each step only touches what is still
    shown.
    """
    for post in Post.objects.filter(author=user, deleted_at=None):
        post_delete(post=post, by=user)
    for comment in Comment.objects.filter(author=user, deleted_at=None):
        comment_delete(comment=comment, by=user)
    for like in Like.objects.filter(user=user):
        model = Post if like.target_type == Like.Target.POST else Comment
        target = model.objects.filter(pk=like.target_id).first()
        if target is not None:
            like_remove(user=user, target=target)
    for follow in Follow.objects.filter(follower=user):
        follow_delete(follower=user, following=follow.following)
    for follow in Follow.objects.filter(following=user):
        follow_delete(follower=follow.follower, following=user)
    for membership in GroupMembership.objects.filter(user=user):
        _membership_end_for_deleted_account(membership)
    now = timezone.now()
    Story.objects.filter(author=user, expires_at__gt=now).update(expires_at=now)


def _membership_end_for_deleted_account(membership: GroupMembership) -> None:
    """End the membership as leaving does; a group keeps at least one admin.

    The last admin's seat goes first to the longest-standing other member; a group with
    nobody else in it is closed (hidden like its only member), its membership kept.
    """
    refusal = "A group keeps at least one admin."
    is_last_admin = (
        membership.is_active
        and membership.role == GroupMembership.Role.ADMIN
        and Group.objects.filter(pk=membership.group_id, admins_count__lte=1).exists()
    )
    if is_last_admin and not _admin_successor_appoint(membership):
        Group.objects.filter(pk=membership.group_id).update(is_active=False)
        return
    with contextlib.suppress(SocialError):  # a second admin left at the same moment: the group keeps us
        _membership_end(membership, refusal=refusal)


def _admin_successor_appoint(leaving: GroupMembership) -> bool:
    """Make the longest-standing other active member admin (False when there is none)."""
    others = GroupMembership.objects.filter(
        group_id=leaving.group_id, status=GroupMembership.Status.ACTIVE
    ).exclude(pk=leaving.pk)
    successor = others.order_by("id").first()
    if successor is None:
        return False

    def appoint() -> None:
        # Conditional on the role read above, like group_set_role; the seat is counted in the same transaction.
        if (
            GroupMembership.objects.filter(
                pk=successor.pk, role=successor.role, status=GroupMembership.Status.ACTIVE
            ).update(role=GroupMembership.Role.ADMIN)
            and successor.role != GroupMembership.Role.ADMIN
        ):
            Group.objects.filter(pk=leaving.group_id).update(admins_count=F("admins_count") + 1)

    run_in_transaction(appoint)
    return True


# --- Repair ----------------------------------------------------------------------------------------------------------


def counters_recount(*, post_ids=None, user_ids=None) -> dict:
    """Recompute counters from the documents that prove them (repair after a crash)."""
    fixed = {"posts": 0, "users": 0}
    posts = Post.objects.all() if post_ids is None else Post.objects.filter(pk__in=list(post_ids))
    for post in posts.only("id", "views_count", "shares_count"):
        likes = Like.objects.filter(target_type=Like.Target.POST, target_id=post.pk).count()
        comments = Comment.objects.filter(
            post=post, deleted_at=None, moderation_state=ModerationState.OK
        ).count()
        saves = Save.objects.filter(post=post).count()
        shares = Share.objects.filter(post=post).count()
        hot = 20 * likes + 30 * comments + 50 * shares + post.views_count
        fixed["posts"] += Post.objects.filter(pk=post.pk).update(
            likes_count=likes, comments_count=comments, saves_count=saves, shares_count=shares, hot=hot
        )
    users = User.objects.all() if user_ids is None else User.objects.filter(pk__in=list(user_ids))
    collection = _user_collection()
    for user in users.only("id"):
        post_ids_of_user = list(Post.objects.filter(author=user).values_list("id", flat=True))
        comment_ids = list(Comment.objects.filter(author=user).values_list("id", flat=True))
        likes_received = Like.objects.filter(
            Q(target_type=Like.Target.POST, target_id__in=post_ids_of_user)
            | Q(target_type=Like.Target.COMMENT, target_id__in=comment_ids)
        ).count()
        collection.update_one(
            {"_id": user.pk},
            {
                "$set": {
                    "stats.followers": Follow.objects.filter(following=user).count(),
                    "stats.following": Follow.objects.filter(follower=user).count(),
                    "stats.posts": Post.objects.filter(author=user, live=True).count(),
                    "stats.likes_received": likes_received,
                }
            },
        )
        fixed["users"] += 1
    return fixed


def post_publish_generation(
    *, author, image, caption: str = "", visibility: str = "public", tags=None
) -> tuple[Post, bool]:
    """Publish one of ``author``'s generated or edited images as an image post; (post, created).

    The post gets its own copy of the file (the generation stays private) and
    the AI details of the job that made it: model, prompt, parameters, cost, seed.
    An image already published (and not deleted) gives back that post, created False:
    the unique index on (author, source_image) decides, so two clicks make one post.
    """
    if image.user_id != author.pk:
        raise SocialError("You can only publish your own images.")
    source_image = str(image.pk)
    existing = Post.objects.filter(author=author, source_image=source_image).first()
    if existing is not None:  # the common repeat, without copying the file first
        return existing, False
    try:
        return _post_publish_image(
            author=author, image=image, caption=caption, visibility=visibility, tags=tags
        ), True
    except IntegrityError:  # a concurrent publish of the same image won
        existing = Post.objects.filter(author=author, source_image=source_image).first()
        if existing is None:
            raise SocialError("This image was just published and deleted; try again.") from None
        return existing, False


def _post_publish_image(*, author, image, caption: str, visibility: str, tags) -> Post:
    with image.file.open("rb") as source:
        media = File(source, name=f"{image.pk}.{image.file_format.lower()}")
        job = image.job
        ai_details = (
            {
                "model": job.ai_model.name,
                "prompt": job.prompt,
                "parameters": job.parameters,
                "cost": job.credits_charged,
                "seed": str(job.seed),
                "generation_id": str(job.pk),
            }
            if job is not None
            else {"prompt": image.prompt, "generation_id": str(image.pk)}
        )
        return post_create(
            author=author,
            category=Post.Category.IMAGE_TEXT if caption.strip() else Post.Category.IMAGE,
            caption=caption,
            media=media,
            visibility=visibility,
            ai_details=ai_details,
            tags=tags,
            source_image=str(image.pk),
        )
