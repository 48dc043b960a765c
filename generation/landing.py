"""The landing page: staff-curated feed examples, each opening the post it was published as.

It lives in generation because the examples are generation's (``FeedExample``); the
post each one links to is social's, read through social's one privacy rule.
"""

from __future__ import annotations

from django.shortcuts import render

from generation.models import FeedExample
from generation.selectors import feed_examples
from social.models import Post
from social.selectors import can_view_post

LANDING_EXAMPLES = 12


def examples_with_posts(viewer, *, limit: int = LANDING_EXAMPLES) -> list[FeedExample]:
    """The landing examples, each with ``post_url``: the page of the post its image was
    published as (by the image's owner), or "" when there is none the viewer may see."""
    examples = feed_examples(limit=limit)
    image_ids = [str(example.image_id) for example in examples]
    posts = {
        (post.author_id, post.source_image): post
        for post in Post.objects.filter(source_image__in=image_ids).prefetch_related("author")
    }
    for example in examples:
        post = posts.get((example.image.user_id, str(example.image_id)))
        visible = post is not None and can_view_post(viewer, post)
        example.post_url = post.get_absolute_url() if visible else ""
    return examples


def home(request):
    return render(request, "home.html", {"feed_examples": examples_with_posts(request.user)})
