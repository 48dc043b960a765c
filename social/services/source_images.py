"""Posts published from a generated image, when their owner deletes that image."""

from __future__ import annotations

from modelsnapper.variants import VariantSet
from social.models import Post


def posts_source_image_removed(*, image_id: str) -> list[str]:
    """Take the picture out of every post published from ``image_id``; the stored names it held.

    The post stays (its caption, comments and likes are the author's and their readers'),
    and pages show "Image removed" where the picture was: a post with a source image and
    no media. Its variants go with its media. The caller removes the returned files from storage after its grace period.
    Each post is cleared with a conditional update on the name it held, so a second or
    concurrent call clears nothing twice and returns nothing twice.
    """
    names: list[str] = []
    posts = Post.objects.filter(source_image=str(image_id)).exclude(media="")
    for post in posts.only("pk", "media", "thumbnail", "variants"):
        held = [name for name in (post.media.name, post.thumbnail.name) if name]
        held += [name for _, name in VariantSet.from_data(post.variants).files()]
        cleared = Post.objects.filter(pk=post.pk, media=post.media.name).update(
            media="", thumbnail="", variants={}
        )
        if cleared == 1:
            names.extend(held)
    return names
