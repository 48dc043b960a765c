"""Feeds of posts: following, explore, tags, trending, a person's profile; stories and tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bson import ObjectId
from django.core.cache import cache
from django.db import connections
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from modelsnapper.ids import parse_object_id
from modelsnapper.paging import newest_before
from social import queryshape
from social.models import Article, Post, Story, Tag
from social.selectors.paging import PAGE_SIZE, Page, attach_authors, keyset
from social.selectors.posts import decorate_posts
from social.selectors.privacy import (
    allowed_visibilities,
    blocked_user_ids,
    can_view_story,
    close_friend_of_ids,
    following_ids,
    relationship,
)

TRENDING_PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=30)}


def newest_page(
    queryset, cursor, viewer, *, key: str, size: int = PAGE_SIZE, exclude_authors=(), author=None, keep=None
) -> Page:
    """A newest-first keyset page. ``key`` names the feed and its filter (window cache)."""
    if exclude_authors:
        queryset = queryset.exclude(author_id__in=list(exclude_authors))
    rows, next_cursor = keyset(queryset, cursor, size=size, read=queryshape.windowed(key))
    if keep is not None:
        rows = [r for r in rows if keep(r)]
    if author is not None:
        for row in rows:
            row.author = author
    else:
        attach_authors(rows)
    return Page(decorate_posts(viewer, rows), next_cursor)


FOLLOWING_PROBE_HOURS = queryshape.PROBE_HOURS
FOLLOWING_WINDOW_CAP = 5000


def _following_hours(viewer, keep, authors_posts, now, category: str | None = None) -> int:
    """Hours of everyone's live posts that hold ~2 pages for this viewer; 0 when such a window
    would hold more posts than ``authors_posts`` (the viewer's and their follows') (cached)."""
    key = f"social:following-window:{viewer.pk}" + (f":{category}" if category else "")
    hours = cache.get(key)
    if hours is not None:
        return hours
    hours, authors_post_count = 0, authors_posts.count()
    for probe in FOLLOWING_PROBE_HOURS:
        rows = _choices(
            {"live": True, "_id": {"$gte": ObjectId.from_datetime(now - timedelta(hours=probe))}},
            FOLLOWING_WINDOW_CAP + 1,
        )
        if len(rows) > min(FOLLOWING_WINDOW_CAP, authors_post_count):
            break
        if sum(1 for row in rows if keep(*row[1:])) >= 2 * PAGE_SIZE:
            hours = probe
            break
    cache.set(key, hours, queryshape.WINDOW_TTL)
    return hours


# What the following page decides on, read for many posts without building them.
_CHOICE_FIELDS = ("_id", "author_id", "visibility", "closed_group", "category")


def _choices(match: dict, limit: int) -> list[tuple]:
    """``_CHOICE_FIELDS`` of up to ``limit`` posts matching ``match``, newest first.

    Sent by hand for its ``batchSize``: through the ORM a read of more than 101 rows costs a
    ``getMore`` per batch, so the page's round trips would grow with the posts it weighs.
    """
    connection = connections[Post.objects.db]
    pipeline = [
        {"$match": match},
        {"$sort": {"_id": -1}},
        {"$limit": limit},
        {"$project": dict.fromkeys(_CHOICE_FIELDS, 1)},
    ]
    rows = connection.get_collection(Post._meta.db_table).aggregate(
        pipeline, session=connection.session, batchSize=limit
    )
    return [tuple(row.get(field) for field in _CHOICE_FIELDS) for row in rows]


def _posts_by_id(ids: list) -> list[Post]:
    return list(Post.objects.filter(pk__in=ids).order_by("-pk"))


def following_feed(viewer, cursor: str | None = None, *, category: str | None = None, now=None) -> Page:
    """People I follow (public and followers-only posts) and me (everything live), optionally of
    one category (the same filter as explore's, ``social.views.common._category``).

    SecantusDB serves ``{live, author_id $in}`` from the ``(live, author, -id)`` index but
    scans the collection once a third condition (the page cursor, a category) joins it. So
    the page chooses its posts on a few fields from whichever is smaller — a recent window of
    everyone's live posts (the ``(live, _id)`` index; its hours cached per viewer, about two
    pages) or all of the followed people's own live posts — and fetches only the kept ones
    whole. Past ``FOLLOWING_WINDOW_CAP`` posts of both it sends the plain query (index-served
    on a real MongoDB). Blocking removes follows both ways, so no block lookup is needed here.
    """
    now = now or timezone.now()
    followed = following_ids(viewer)
    authors = {*followed, viewer.pk}

    def keep(author_id, visibility: str, closed_group: bool, post_category: str) -> bool:
        if category and post_category != category:
            return False
        if author_id == viewer.pk:
            return True
        return author_id in authors and visibility != Post.Visibility.PRIVATE and not closed_group

    def read(queryset, cursor, limit: int) -> list:
        hours = _following_hours(viewer, keep, authors_posts, now, category)
        if hours:
            top = cursor.generation_time if cursor is not None else now
            window = {"$gte": ObjectId.from_datetime(top - timedelta(hours=hours))}
            if cursor is not None:
                window["$lt"] = cursor
            rows = _choices({"live": True, "_id": window}, FOLLOWING_WINDOW_CAP)
            kept = [row[0] for row in rows if keep(*row[1:])]
            if len(kept) >= limit:
                return _posts_by_id(kept[:limit])
        # Exactly the shape the (live, author, -id) index serves; the cursor is applied here.
        rows = _choices({"author_id": {"$in": list(authors)}, "live": True}, FOLLOWING_WINDOW_CAP + 1)
        if len(rows) <= FOLLOWING_WINDOW_CAP:
            kept = [row[0] for row in rows if (cursor is None or row[0] < cursor) and keep(*row[1:])]
            return _posts_by_id(kept[:limit])
        return newest_before(queryset, cursor, limit)

    authors_posts = Post.objects.filter(author_id__in=list(authors), live=True)
    followed_posts = authors_posts.filter(category=category) if category else authors_posts
    rows, next_cursor = keyset(followed_posts, cursor, read=read)
    items = [p for p in rows if keep(p.author_id, p.visibility, p.closed_group, p.category)]
    page = Page(decorate_posts(viewer, attach_authors(items)), next_cursor)
    page.extra["following_ids"] = followed
    return page


EXPLORE_SORTS = ("newest", "quality")


def explore_feed(
    viewer,
    *,
    category: str | None = None,
    cursor: str | None = None,
    blocked: set | None = None,
    sort: str = "newest",
) -> Page:
    """Listed posts, newest first, or by quality score (``sort="quality"``: scored posts only).

    ``blocked``: the viewer's block set, when the caller has it.
    """
    qs = Post.objects.filter(listed=True)
    if category:
        qs = qs.filter(category=category)
    blocked = blocked_user_ids(viewer) if blocked is None else blocked
    if sort == "quality":
        if blocked:
            qs = qs.exclude(author_id__in=list(blocked))
        rows, next_cursor = keyset(qs, cursor, read=best_quality_before)
        return Page(decorate_posts(viewer, attach_authors(rows)), next_cursor)
    return newest_page(qs, cursor, viewer, key=f"explore:{category or 'all'}", exclude_authors=blocked)


def best_quality_before(queryset, cursor, limit: int) -> list:
    """A keyset reader by (quality score, id), best first, on the ``post_listed_quality`` index;
    scored posts only (a comparison with a number never matches a missing score).

    The cursor stays the last post's id (the one pager, ``modelsnapper.paging``); its score is
    read back, then the rest of that score's posts older than it, then the lower scores: two
    index ranges, a constant three round trips however deep the page. Each read puts one
    condition on the score, so the filter stays one document (``queryshape.merge_and``).
    """
    ordered = queryset.order_by("-quality_score", "-id")
    if cursor is None:
        # "> -1" (scores are 0–10) rather than ">= 0": SecantusDB's scan of the descending
        # index leaves 0.0 out of ">= 0"; on any server the set is the same.
        return list(ordered.filter(quality_score__gt=-1)[:limit])
    score = Post.objects.filter(pk=cursor).values_list("quality_score", flat=True).first()
    if score is None:  # not a scored post's id: no page follows it
        raise Http404("Bad page cursor.")
    rows = list(ordered.filter(quality_score=score, id__lt=cursor)[:limit])
    if len(rows) < limit:
        rows += list(ordered.filter(quality_score__lt=score)[: limit - len(rows)])
    return rows


def tag_feed(viewer, tag: str, cursor: str | None = None) -> Page:
    # ``holds`` sends ``tags: tag`` (the posts ``contains=[tag]`` finds), so the window's ``_id``
    # range stays on the (listed, tags, -id) multikey index (``social.queryshape``).
    qs = Post.objects.filter(listed=True, tags__holds=tag)
    return newest_page(qs, cursor, viewer, key=f"tag:{tag}", exclude_authors=blocked_user_ids(viewer))


FEATURED_LIMIT = 12


@dataclass
class Featured:
    """Explore's featured row: staff-featured posts and tags (empty lists hide the row)."""

    posts: list[Post]
    tags: list[Tag]

    def __bool__(self) -> bool:
        return bool(self.posts or self.tags)


def explore_featured(viewer, *, blocked: set | None = None) -> Featured:
    """Staff-featured posts (newest first) and tags, at most ``FEATURED_LIMIT`` of each.

    One bounded read each, served by the ``(is_featured, -id)`` index for posts. ``listed``
    already holds the privacy rule for a list everyone may read (live, public, outside closed
    groups); blocks and deleted accounts are the parts of ``can_view_post`` that depend on the
    viewer and the author, applied here as in every other list (``blocked`` is the viewer's
    block set when the caller has it already).
    """
    blocked = blocked_user_ids(viewer) if blocked is None else blocked
    qs = Post.objects.filter(is_featured=True, listed=True)
    if blocked:
        qs = qs.exclude(author_id__in=list(blocked))
    posts = attach_authors(list(qs.order_by("-id")[:FEATURED_LIMIT]))
    posts = [p for p in posts if p.author.is_visible]
    tags = list(Tag.objects.filter(is_featured=True).order_by("-trending_score", "name")[:FEATURED_LIMIT])
    return Featured(decorate_posts(viewer, posts), tags)


TRENDING_SNAPSHOT = 200  # ten pages
TRENDING_TTL = 300


def trending_snapshot(period: str, *, now=None) -> list[tuple]:
    """(id, hot) of the period's top posts, best first; recomputed every 5 minutes.

    Sorting by score reads every post of the period on SecantusDB, so the page reads a
    snapshot of the top 200 ids instead (one bounded query per period per 5 minutes);
    the posts themselves, and their scores, are loaded live.
    """
    key = f"social:trending:{period}"
    snapshot = cache.get(key)
    if snapshot is None:
        since = (now or timezone.now()) - TRENDING_PERIODS[period]
        snapshot = list(
            Post.objects.filter(listed=True, id__gte=ObjectId.from_datetime(since))
            .order_by("-hot", "-id")
            .values_list("id", "hot")[:TRENDING_SNAPSHOT]
        )
        cache.set(key, snapshot, TRENDING_TTL)
    return snapshot


def _offset_or_404(cursor: str) -> int:
    """A trending page cursor is an offset into the snapshot; anything else is a 404, as a
    malformed cursor is everywhere (modelsnapper.paging). ASCII digits only: ``str.isdigit``
    also accepts "²" and "٣", which ``int`` then refuses."""
    if not (cursor.isascii() and cursor.isdigit()) or int(cursor) > TRENDING_SNAPSHOT:
        raise Http404("Bad page cursor.")
    return int(cursor)


def trending_feed(viewer, *, period: str = "week", cursor: str | None = None, now=None) -> Page:
    """Top posts of the day/week/month by 2·likes + 3·comments + 5·shares + views/10 (``Post.hot``/10)."""
    period = period if period in TRENDING_PERIODS else "week"
    snapshot = trending_snapshot(period, now=now)
    offset = _offset_or_404(cursor) if cursor else 0
    chunk = [pk for pk, _ in snapshot[offset : offset + PAGE_SIZE]]
    blocked = blocked_user_ids(viewer)
    by_id = Post.objects.in_bulk(chunk)
    rows = [
        by_id[pk] for pk in chunk if pk in by_id and by_id[pk].listed and by_id[pk].author_id not in blocked
    ]
    next_cursor = str(offset + PAGE_SIZE) if len(snapshot) > offset + PAGE_SIZE else None
    return Page(decorate_posts(viewer, attach_authors(rows)), next_cursor)


def profile_posts(viewer, person, category: str | None = None, cursor: str | None = None) -> Page:
    """A person's posts as ``viewer`` may see them, newest first, optionally by category."""
    visibilities = allowed_visibilities(viewer, person)
    if not visibilities:
        return Page([], None, {"blocked": True})
    # Only index keys in the filter (author, live[, category]); who may see what is applied to
    # the fetched rows (a "$in" on visibility would make SecantusDB skip the index).
    qs = Post.objects.filter(author_id=person.pk, live=True)
    if category:
        qs = qs.filter(category=category)
    allowed = {getattr(v, "value", v) for v in visibilities}
    own = len(allowed) == len(Post.Visibility)

    def keep(post: Post) -> bool:
        return own or (post.visibility in allowed and not post.closed_group)

    key = f"profile:{person.pk}:{category or 'all'}"
    return newest_page(qs, cursor, viewer, key=key, author=person, keep=keep)


# The profile tabs only the author sees: their posts that are not published (newest first).
SHELVES = {Post.Status.DRAFT: gettext_lazy("Drafts"), Post.Status.ARCHIVED: gettext_lazy("Archived")}


def shelf_posts(person, status: str, cursor: str | None = None) -> Page:
    """``person``'s own drafts or archived posts (callers check that the viewer is the author).

    Served by the ``(author, live, -id)`` index: such posts are never live, so the read is
    bounded by the author's own posts that are not live.
    """
    qs = Post.objects.filter(author_id=person.pk, live=False, status=status, deleted_at=None)
    rows, next_cursor = keyset(qs, cursor)
    for row in rows:
        row.author = person
    return Page(rows, next_cursor)


def profile_context(
    viewer, person, category: str | None = None, cursor: str | None = None, status: str | None = None
) -> dict:
    """Everything ``templates/social/includes/profile_posts.html`` needs (for the accounts profile page).

    ``status`` (draft, archived) opens the author's own tab; anyone else gets the posts instead.
    """
    category = category if category in Post.Category.values else None
    is_author = getattr(viewer, "pk", None) == person.pk
    status = status if is_author and status in SHELVES else None
    counts = person.stats.posts_by_category or {}
    return {
        "person": person,
        "page": shelf_posts(person, status, cursor)
        if status
        else profile_posts(viewer, person, category=category, cursor=cursor),
        "category": None if status else category,
        "status": status,
        "shelves": list(SHELVES.items()) if is_author else [],
        "categories": Post.Category.choices,
        # The tabs' counts (the author's live posts per category, a stored counter).
        "category_tabs": [(value, label, counts.get(value, 0)) for value, label in Post.Category.choices],
        "is_following": relationship(viewer, person).following,
        "follow_notify": relationship(viewer, person).notify,
    }


def active_stories(viewer, *, now=None, followed=None) -> list[Story]:
    """Live stories (even before the TTL sweep) of people I follow, of people who put me on their
    close-friends list, and mine, as ``can_view_story`` allows."""
    now = now or timezone.now()
    followed = following_ids(viewer) if followed is None else followed
    close_to = close_friend_of_ids(viewer)
    # Stories live 24 hours (TTL index), so this collection stays small.
    stories = list(
        Story.objects.filter(
            author_id__in=list({*followed, *close_to, viewer.pk}), expires_at__gt=now
        ).order_by("-id")[:200]
    )
    blocked = blocked_user_ids(viewer) if stories else set()
    followed = set(followed)
    stories = [
        s for s in stories if can_view_story(viewer, s, followed=followed, close_to=close_to, blocked=blocked)
    ]
    return attach_authors(stories)


def story_for_viewer(viewer, story_id, *, now=None) -> Story:
    now = now or timezone.now()
    oid = parse_object_id(story_id)
    story = Story.objects.filter(pk=oid).first() if oid else None
    if story is not None:
        attach_authors([story])
    if story is None or story.expires_at <= now or not can_view_story(viewer, story):
        raise Http404("No such story.")
    return story


def trending_tags(limit: int = 30) -> list[Tag]:
    return list(Tag.objects.filter(usage_count__gt=0).order_by("-trending_score")[:limit])


def articles_page(cursor: str | None = None) -> Page:
    """Published articles, newest first, with their authors."""
    rows, next_cursor = keyset(Article.objects.filter(status=Article.Status.PUBLISHED), cursor)
    return Page(attach_authors(rows), next_cursor)
