"""Explore's "Boosted" row: posts whose authors spent coins on a boost (billing.services.boosts)."""

from __future__ import annotations

from django.utils import timezone

from billing.models import Boost
from social.models import Post
from social.selectors.paging import attach_authors
from social.selectors.posts import decorate_posts
from social.selectors.privacy import blocked_user_ids

BOOSTED_LIMIT = 3


def boosted_posts(viewer, *, blocked: set | None = None, now=None) -> list[Post]:
    """At most ``BOOSTED_LIMIT`` boosted posts still running, latest-ending first.

    Two bounded reads: the running boosts on the ``(status, -ends_at)`` index, then their posts
    by id. ``listed`` holds the privacy rule for a list anyone may read (live, public, outside
    closed groups; a removed post leaves at once even before its refund); blocks and deleted
    accounts are applied as in every other list.
    """
    now = now or timezone.now()
    blocked = blocked_user_ids(viewer) if blocked is None else blocked
    # A few more than shown, for the ones this viewer may not see.
    post_ids = list(
        Boost.objects.filter(status=Boost.Status.ACTIVE, ends_at__gt=now)
        .order_by("-ends_at")
        .values_list("post_id", flat=True)[: BOOSTED_LIMIT * 3]
    )
    if not post_ids:
        return []
    by_id = Post.objects.filter(listed=True).in_bulk(post_ids)
    posts = [
        by_id[pk] for pk in dict.fromkeys(post_ids) if pk in by_id and by_id[pk].author_id not in blocked
    ]
    posts = [p for p in attach_authors(posts) if p.author.is_visible][:BOOSTED_LIMIT]
    return decorate_posts(viewer, posts)
