"""Posts: create, edit, delete, feature, views, shares, publishing a generated image."""

from __future__ import annotations

import copy
import hashlib
import hmac
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from billing.services.boosts import boost_refund_for_post
from modelsnapper.db import run_in_transaction
from modelsnapper.picture_sources import picture_variants_store
from modelsnapper.sentences import Sentence
from social import geo, search, selectors
from social.models import (
    CAPTION_MAX,
    TITLE_MAX,
    AIDetails,
    Group,
    Notification,
    Post,
    PostView,
    Share,
    Tag,
    view_day,
)
from social.notification_text import SHARED
from social.services.achievements import coins_after_post
from social.services.counters import _dec, author_posts_add, tag_usage_add, user_stats_add
from social.services.errors import SocialError
from social.services.group_activity import group_activity_record
from social.services.notifications import (
    _notify_mentions,
    _post_url,
    notification_create,
    post_followers_notify_later,
)
from social.services.text import blocklist_check, hashtags_in, normalise_tags

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
        raise SocialError(_("Choose a post category."), field="category")
    if visibility not in Post.Visibility.values:
        raise SocialError(_("Choose who can see the post."), field="visibility")
    if status not in Post.Status.values:
        raise SocialError(_("Choose draft, published or archived."), field="status")
    if len(caption or "") > CAPTION_MAX:
        raise SocialError(
            _("The caption is %(length)s characters; the limit is %(limit)s.")
            % {
                "length": number_format(len(caption), force_grouping=True),
                "limit": number_format(CAPTION_MAX, force_grouping=True),
            },
            field="caption",
        )
    if len(title or "") > TITLE_MAX:
        raise SocialError(
            _("The title is %(length)s characters; the limit is %(limit)s.")
            % {"length": number_format(len(title)), "limit": number_format(TITLE_MAX)},
            field="title",
        )
    blocklist_check(title, field="title")
    blocklist_check(caption, field="caption")


def _check_place(name: str, latitude: float | None, longitude: float | None) -> None:
    problem = geo.coordinates_problem(latitude, longitude, name)
    if problem:
        raise SocialError(problem[1], field=problem[0])


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
    latitude: float | None = None,
    longitude: float | None = None,
    thumbnail=None,
    group: Group | None = None,
    source_image: str = "",
    quality_score: float | None = None,
) -> Post:
    """Create a post. ``media``/``thumbnail`` are already validated files (forms validate uploads).

    ``ai_details`` (model, prompt, parameters, cost, seed[, generation_id]) marks the post as
    AI-generated; the generation app passes it when a user publishes a generation, with the
    image's ``quality_score`` (generation.quality).
    """
    caption = caption or ""
    _validate_post_fields(
        category=category, caption=caption, title=title, visibility=visibility, status=status
    )
    if category in Post.VIDEO_CATEGORIES and media is None:
        raise SocialError(_("A video post needs a video file."), field="media")
    if category in Post.IMAGE_CATEGORIES and media is None:
        raise SocialError(_("An image post needs an image."), field="media")
    if category == Post.Category.TEXT and not (caption.strip() or title.strip()):
        raise SocialError(_("Write something for a text post."), field="caption")
    _check_place(location_name, latitude, longitude)
    all_tags = normalise_tags(list(tags or []) + hashtags_in(caption))
    if group is not None and selectors.active_member(author, group) is None:
        raise SocialError(_("Join the group before posting in it."))
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
        **geo.location_fields(latitude, longitude),
        source_image=source_image,
        quality_score=quality_score,
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

    def write() -> None:
        # The post and every count it moves are one transaction: a failure between them leaves
        # neither, never a post its tags or its author's counts missed. force_insert: a retry
        # after a commit the client did not see inserts the same _id again and is refused,
        # rather than updating that post and counting it twice.
        post.save(force_insert=True)
        _post_counts_follow(post, was_live=False, old_tags=[])
        if group is not None:
            Group.objects.filter(pk=group.pk).update(posts_count=F("posts_count") + 1)

    run_in_transaction(write)
    # File names include the author id (private/<author>/...): save files once the row exists.
    if media is not None or thumbnail is not None:
        if media is not None:
            post.media.save(Path(getattr(media, "name", "") or "media").name, _as_file(media), save=False)
        if thumbnail is not None:
            post.thumbnail.save(
                Path(getattr(thumbnail, "name", "") or "thumb.png").name, _as_file(thumbnail), save=False
            )
        Post.objects.filter(pk=post.pk).update(media=post.media.name, thumbnail=post.thumbnail.name)
        if post.category in Post.IMAGE_CATEGORIES or post.thumbnail:
            # The picture, or a video's poster (its first frame, social.media): see picture_sources.
            picture_variants_store(obj=post)
    if group is not None and post.live:
        group_activity_record(group_id=group.pk, user_id=author.pk, member=True)
    if post.live:
        _notify_mentions(
            actor=author,
            text=f"{title} {caption}",
            target_type="post",
            target_id=post.pk,
            url=_post_url(post.pk),
        )
        post_followers_notify_later(post=post)
        coins_after_post(post=post)
    return post


def _as_file(obj):
    return obj if isinstance(obj, File) else File(obj)


def _apply_post_changes(post: Post, changes: dict) -> None:
    """Write named fields and the recomputed flags, with stats.posts and tag usage in step (one
    transaction); then what follows a change (coins, notices)."""
    was_live, old_tags = post.live, list(post.tags)
    for name, value in changes.items():
        setattr(post, name, value)
    post.compute_flags()
    changes.update(live=post.live, listed=post.listed, updated_at=timezone.now())
    if changes.keys() & search.source_fields(Post):
        # update() skips the save hook: the words it is found by change here.
        post.search_terms = changes["search_terms"] = search.terms_for(post)

    def write() -> None:
        Post.objects.filter(pk=post.pk).update(**changes)
        _post_counts_follow(post, was_live=was_live, old_tags=old_tags)

    run_in_transaction(write)
    _after_post_changes(post, was_live=was_live)


def _post_counts_follow(post: Post, *, was_live: bool, old_tags: list[str]) -> None:
    """The counts a post's written change moves: its author's posts, its tags' usage. Called
    inside the transaction of that write, so the two never disagree."""
    if was_live != post.live:
        author_posts_add(post.author_id, category=post.category, delta=1 if post.live else -1)
    if was_live and not post.live:
        tag_usage_add(old_tags, -1)
    elif post.live and not was_live:
        tag_usage_add(post.tags)
    elif post.live:
        tag_usage_add([t for t in post.tags if t not in old_tags])
        tag_usage_add([t for t in old_tags if t not in post.tags], -1)


def _after_post_changes(post: Post, *, was_live: bool) -> None:
    """What follows a post's committed change: a post that went live may be the first (coins),
    and its author's followers are told."""
    if post.live and not was_live:
        coins_after_post(post=post)
        post_followers_notify_later(post=post)


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
    latitude: float | None = None,
    longitude: float | None = None,
) -> Post:
    """Edit the author's post. ``location_name`` given (even "") sets the whole place: the name
    and the coordinates, which are cleared when not given."""
    if editor.pk != post.author_id:
        raise SocialError(_("Only the author can edit this post."))
    if post.deleted_at is not None:
        raise SocialError(_("This post was deleted."))
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
        _check_place(location_name, latitude, longitude)
        changes["location_name"] = location_name
        changes.update(geo.location_fields(latitude, longitude))
    if status == Post.Status.PUBLISHED and post.published_at is None:
        changes["published_at"] = timezone.now()
    _apply_post_changes(post, changes)
    return post


def _post_move(*, post: Post, by, from_status: str, to_status: str) -> bool:
    """Move the author's post from one status to another; True only for the request that moved it.

    The conditional update names everything ``live`` depends on (status, not deleted, the
    moderation state read with the post), so the one request whose update matched knows what
    ``live`` was before and after: only it moves the counters, however many clicks race.
    """
    if by.pk != post.author_id:
        raise SocialError(_("Only the author can change this post."))
    if post.deleted_at is not None:
        raise SocialError(_("This post was deleted."))
    if post.status != from_status:
        return False
    was_live, old_tags, now = post.live, list(post.tags), timezone.now()
    post.status = to_status
    post.compute_flags()
    changes: dict[str, Any] = {
        "status": to_status,
        "live": post.live,
        "listed": post.listed,
        "updated_at": now,
    }
    if to_status == Post.Status.PUBLISHED and post.published_at is None:
        changes["published_at"] = post.published_at = now

    def write() -> bool:
        moved = Post.objects.filter(
            pk=post.pk,
            author_id=post.author_id,
            status=from_status,
            deleted_at=None,
            moderation_state=post.moderation_state,
        ).update(**changes)
        if moved != 1:
            return False
        _post_counts_follow(post, was_live=was_live, old_tags=old_tags)
        return True

    if not run_in_transaction(write):
        post.refresh_from_db()
        return False
    _after_post_changes(post, was_live=was_live)
    return True


def post_publish(*, post: Post, by) -> bool:
    """Publish the author's draft; False when it was no longer a draft (a repeat click)."""
    return _post_move(post=post, by=by, from_status=Post.Status.DRAFT, to_status=Post.Status.PUBLISHED)


def post_archive(*, post: Post, by) -> bool:
    """Take the author's published post off every page, kept for them under "Archived"."""
    return _post_move(post=post, by=by, from_status=Post.Status.PUBLISHED, to_status=Post.Status.ARCHIVED)


def post_restore(*, post: Post, by) -> bool:
    """Publish an archived post again."""
    return _post_move(post=post, by=by, from_status=Post.Status.ARCHIVED, to_status=Post.Status.PUBLISHED)


def post_delete(*, post: Post, by) -> None:
    """Soft delete by the author or staff: gone from every page, counters follow."""
    if by.pk != post.author_id and not by.is_staff:
        raise SocialError(_("Only the author can delete this post."))
    if post.deleted_at is not None:
        return
    was_live = post.live
    gone = copy.copy(post)  # the post as deleted, written only if the delete commits
    gone.deleted_at = timezone.now()
    gone.compute_flags()

    def write() -> bool:
        # The conditional update decides which of two racing deletes moves the counts; it and
        # the counts are one transaction. source_image "" frees the generated image to be
        # published again (one live post per image).
        deleted = Post.objects.filter(pk=post.pk, deleted_at=None).update(
            deleted_at=gone.deleted_at, live=gone.live, listed=gone.listed, source_image=""
        )
        if deleted != 1:
            return False
        _post_counts_follow(gone, was_live=was_live, old_tags=post.tags)
        if post.group_id:
            _dec(Group, post.group_id, "posts_count")
        return True

    if not run_in_transaction(write):
        return  # a concurrent delete won
    post.deleted_at, post.live, post.listed = gone.deleted_at, gone.live, gone.listed
    # A boost still running on a removed post is refunded (once, by its ledger key).
    boost_refund_for_post(post_id=post.pk)


def post_set_featured(*, post: Post, featured: bool, by) -> None:
    if not by.is_staff:
        raise SocialError(_("Only staff can feature posts."))
    Post.objects.filter(pk=post.pk).update(is_featured=featured)
    post.is_featured = featured


def tag_set_featured(*, tag: Tag, featured: bool, by) -> None:
    """Staff put a tag in explore's featured row (or take it out)."""
    if not by.is_staff:
        raise SocialError(_("Only staff can feature tags."))
    Tag.objects.filter(pk=tag.pk).update(is_featured=featured)
    tag.is_featured = featured


def visitor_fingerprint(*, ip: str, user_agent: str) -> str:
    """An anonymous visitor as address + browser, keyed-hashed: counted without storing either."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{ip}|{user_agent}".encode(), hashlib.sha256).hexdigest()[:40]


VIEW_HINT_SECONDS = 24 * 3600


def post_record_view(*, post: Post, viewer, client_key: str, at: datetime | None = None) -> bool:
    """Count a view once per viewer, post and UTC day (never the author's own); True if counted.

    The viewer is the signed-in user, else ``client_key`` (``visitor_fingerprint``). The
    PostView insert under its unique index is the proof; only the request whose insert
    succeeded adds to ``views_count`` and ``hot``, so reloading cannot inflate either.
    """
    if getattr(viewer, "pk", None) == post.author_id:
        return False
    viewer_key = f"u:{viewer.pk}" if getattr(viewer, "is_authenticated", False) else f"a:{client_key}"
    viewer_key, day = viewer_key[: PostView.VIEWER_KEY_MAX], view_day(at or timezone.now())
    # A repeat view the same day skips the insert the unique index would refuse (a round trip
    # per page): the hint is only set once that day's PostView exists, which stays the proof.
    seen = f"social:viewed:{post.pk}:{viewer_key}:{day.date().isoformat()}"
    if cache.get(seen):
        return False
    try:
        PostView.objects.create(post=post, viewer_key=viewer_key, day=day)
    except IntegrityError:
        cache.set(seen, True, VIEW_HINT_SECONDS)
        return False
    cache.set(seen, True, VIEW_HINT_SECONDS)
    Post.objects.filter(pk=post.pk).update(views_count=F("views_count") + 1, hot=F("hot") + 1)
    user_stats_add(post.author_id, views=1)
    return True


def post_share(*, post: Post, user) -> bool:
    """Count a share once per person; returns whether this one was new."""

    def write() -> None:
        # One transaction: a failure on the counter leaves no share nobody counted.
        Share.objects.create(user=user, post=post)
        Post.objects.filter(pk=post.pk).update(shares_count=F("shares_count") + 1, hot=F("hot") + 50)

    try:
        run_in_transaction(write)
    except IntegrityError:
        return False
    if user.pk != post.author_id:
        notification_create(
            recipient=post.author,
            kind=Notification.Kind.SHARE,
            actor=user,
            target_type="post",
            target_id=post.pk,
            text=Sentence(SHARED, {"name": user.username}),
        )
    return True


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
        raise SocialError(_("You can only publish your own images."))
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
            raise SocialError(_("This image was just published and deleted; try again.")) from None
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
            quality_score=image.quality_score,
        )
