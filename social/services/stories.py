"""Stories: create, count views, purge the media of expired ones."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from modelsnapper.picture_sources import picture_variants_delete, picture_variants_store
from social.models import Story, StoryView
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
    expired = Story.objects.filter(expires_at__lte=now).exclude(media="").only("pk", "media", "variants")[:batch]
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
