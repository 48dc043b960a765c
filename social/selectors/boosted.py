"""Explore's "Boosted" row: posts whose authors spent coins on a boost (billing.services.boosts)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from billing.models import Boost
from billing.services.boosts import BOOSTED_CACHE_KEY
from social.models import Post
from social.selectors.paging import attach_authors
from social.selectors.posts import decorate_posts
from social.selectors.privacy import blocked_user_ids

BOOSTED_LIMIT = 3
BOOSTED_CACHE_SECONDS = 60


def running_boost_post_ids(*, now=None) -> list:
    """The posts of the running boosts, latest-ending first, a few more than shown (for the ones
    a viewer may not see).

    Shared by every explore request for ``BOOSTED_CACHE_SECONDS`` (a new boost clears it), so
    the row costs no round trip while nobody has boosted anything. A boost that ended or was
    refunded meanwhile can linger that long; its post is re-read with the privacy rule anyway.
    """
    if now is None:
        cached = cache.get(BOOSTED_CACHE_KEY)
        if cached is not None:
            return cached
    post_ids = list(
        Boost.objects.filter(status=Boost.Status.ACTIVE, ends_at__gt=now or timezone.now())
        .order_by("-ends_at")
        .values_list("post_id", flat=True)[: BOOSTED_LIMIT * 3]
    )
    if now is None:
        cache.set(BOOSTED_CACHE_KEY, post_ids, BOOSTED_CACHE_SECONDS)
    return post_ids


def boosted_posts(viewer, *, blocked: set | None = None, now=None) -> list[Post]:
    """At most ``BOOSTED_LIMIT`` boosted posts still running, latest-ending first.

    Two bounded reads: the running boosts on the ``(status, -ends_at)`` index (cached, see
    ``running_boost_post_ids``), then their posts by id. ``listed`` holds the privacy rule for a list anyone may read (live, public, outside
    closed groups; a removed post leaves at once even before its refund); blocks and deleted
    accounts are applied as in every other list.
    """
    post_ids = running_boost_post_ids(now=now)
    if not post_ids:
        return []
    blocked = blocked_user_ids(viewer) if blocked is None else blocked
    by_id = Post.objects.filter(listed=True).in_bulk(post_ids)
    posts = [
        by_id[pk] for pk in dict.fromkeys(post_ids) if pk in by_id and by_id[pk].author_id not in blocked
    ]
    posts = [p for p in attach_authors(posts) if p.author.is_visible][:BOOSTED_LIMIT]
    return decorate_posts(viewer, posts)
