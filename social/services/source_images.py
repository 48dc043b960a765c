"""Posts published from a generated image, when their owner deletes that image."""

from __future__ import annotations

from social.models import Post


def posts_source_image_removed(*, image_id: str) -> list[str]:
    """Take the picture out of every post published from ``image_id``; the stored names it held.

    The post stays (its caption, comments and likes are the author's and their readers'),
    and pages show "Image removed" where the picture was: a post with a source image and
    no media. The caller removes the returned files from storage after its grace period.
    Each post is cleared with a conditional update on the name it held, so a second or
    concurrent call clears nothing twice and returns nothing twice.
    """
    names: list[str] = []
    for post in (
        Post.objects.filter(source_image=str(image_id)).exclude(media="").only("pk", "media", "thumbnail")
    ):
        held = [name for name in (post.media.name, post.thumbnail.name) if name]
        if Post.objects.filter(pk=post.pk, media=post.media.name).update(media="", thumbnail="") == 1:
            names.extend(held)
    return names
