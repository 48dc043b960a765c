"""Stories: create, count views, delete, purge the media of expired ones; the close-friends list."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connections
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from modelsnapper.picture_sources import picture_variants_delete, picture_variants_store
from social.models import Block, CloseFriend, Follow, Story, StoryView
from social.selectors.privacy import close_friend_of_forget
from social.services.errors import SocialError
from social.services.posts import _as_file, _media_type_for
from social.services.text import blocklist_check


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
    ai_generated: bool = False,
    ai_activity: str = "",
) -> Story:
    if kind not in Story.Kind.values:
        raise SocialError(_("Choose image, video or text."), field="kind")
    if visibility not in Story.Visibility.values:
        raise SocialError(_("Choose who can see the story."), field="visibility")
    if ai_activity and ai_activity not in Story.AiActivity.values:
        raise SocialError(_("Choose what the AI story shows from the list."), field="ai_activity")
    if ai_activity and not ai_generated:
        raise SocialError(_("Only an AI-generated story says what the AI is doing."), field="ai_activity")
    if not COLOR_RE.match(background_color or ""):
        raise SocialError(_("Pick a colour like #4f46e5."), field="background_color")
    if kind == Story.Kind.TEXT and not (text or "").strip():
        raise SocialError(_("Write the story's text."), field="text")
    if kind != Story.Kind.TEXT and media is None:
        raise SocialError(_("Add the picture or video."), field="media")
    blocklist_check(text, field="text")
    now = timezone.now()
    story = Story.objects.create(
        author=author,
        kind=kind,
        text=text or "",
        background_color=background_color,
        visibility=visibility,
        ai_generated=bool(ai_generated),
        ai_activity=ai_activity or "",
        created_at=now,
        expires_at=now + story_lifetime(),
        media_type=_media_type_for(media) if media is not None else "",
    )
    if media is not None:
        story.media.save(Path(getattr(media, "name", "") or "story").name, _as_file(media), save=False)
        Story.objects.filter(pk=story.pk).update(media=story.media.name)
        if kind == Story.Kind.IMAGE:
            picture_variants_store(obj=story)
    return story


def story_media_purge(*, now=None, batch: int = 500) -> int:
    """Delete the media files of expired stories; returns how many were deleted.

    A story disappears from every page when it expires; its file must leave
    storage too (GridFS or S3 keep nothing on their own). The record stays a week
    longer (its TTL index) so this finds it; clearing ``media`` with a conditional
    update makes a second run, or a concurrent one, a no-op.
    """
    now = now or timezone.now()
    expired = (
        Story.objects.filter(expires_at__lte=now).exclude(media="").only("pk", "media", "variants")[:batch]
    )
    purged = 0
    for story in expired:
        name = story.media.name
        story.media.storage.delete(name)
        picture_variants_delete(story.variants, storage=story.media.storage)
        purged += Story.objects.filter(pk=story.pk, media=name).update(media="", variants={})
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


def story_delete(*, user, story: Story) -> bool:
    """The author deletes their story: the record, its views and its media files.

    The delete whose server count says it removed the record is the one that deletes the
    files, from the names the record had then (a concurrent purge may have done so first;
    deleting a missing file is harmless).
    """
    if story.author_id != user.pk:
        raise SocialError(_("Only its author can delete a story."))
    removed = (
        connections["default"]
        .database[Story._meta.db_table]
        .find_one_and_delete({"_id": story.pk, "author_id": user.pk})
    )
    if removed is None:
        return False
    storage = story.media.storage
    if removed.get("media"):
        storage.delete(removed["media"])
    picture_variants_delete(removed.get("variants") or {}, storage=storage)
    StoryView.objects.filter(story_id=story.pk).delete()
    return True


def close_friend_add(*, owner, friend) -> bool:
    """Put ``friend`` on ``owner``'s close-friends list: someone they follow or who follows them.

    Returns False when already there (the unique index decides, not a read before).
    """
    if friend.pk == owner.pk:
        raise SocialError(_("You can't add yourself."))
    if Block.objects.filter(Q(blocker=owner, blocked=friend) | Q(blocker=friend, blocked=owner)).exists():
        raise SocialError(_("You can't add this person."))
    if not Follow.objects.filter(
        Q(follower=owner, following=friend) | Q(follower=friend, following=owner)
    ).exists():
        raise SocialError(
            _("Add people you follow or who follow you; you and %(username)s don't.")
            % {"username": friend.username}
        )
    try:
        CloseFriend.objects.create(owner=owner, friend=friend)
    except IntegrityError:
        return False
    close_friend_of_forget(friend.pk)
    return True


def close_friend_remove(*, owner, friend) -> bool:
    deleted, _count = CloseFriend.objects.filter(owner=owner, friend=friend).delete()
    close_friend_of_forget(friend.pk)
    return bool(deleted)
