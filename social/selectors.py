"""Reads for the social pages, with every privacy rule in one place.

Query shape (see STACK.md "Speed traps"): equality on ids or on one derived flag
(``Post.live``/``Post.listed``), keyset ("load more") pagination on the ObjectId
(time ordered) bounded to a recent window (``social.queryshape``), authors fetched in
one ``_id $in`` query instead of a ``$lookup`` join, counters read from fields. So the
number of round trips per page is fixed whatever the size of the collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bson import ObjectId
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone

from accounts.selectors import user_get_public
from modelsnapper.ids import parse_object_id
from social import queryshape
from social.models import (
    Block,
    Comment,
    Follow,
    Group,
    GroupMembership,
    Like,
    ModerationState,
    Notification,
    Post,
    Save,
    SaveCollection,
    Story,
    Tag,
)
from social.queryshape import newest_first

PAGE_SIZE = 20
TRENDING_PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=30)}

User = get_user_model()


@dataclass
class Page:
    items: list
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def _authed(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


# --- Relationships -----------------------------------------------------------------------------


def blocked_user_ids(viewer) -> set:
    """People ``viewer`` blocked or who blocked ``viewer`` (one query)."""
    if not _authed(viewer):
        return set()
    ids = set()
    for blocker_id, blocked_id in Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer)).values_list(
        "blocker_id", "blocked_id"
    ):
        ids.add(blocked_id if blocker_id == viewer.pk else blocker_id)
    return ids


def is_blocked_between(a, b) -> bool:
    if not (_authed(a) and _authed(b)):
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def has_blocked(blocker, blocked) -> bool:
    return _authed(blocker) and Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def is_following(follower, following) -> bool:
    return _authed(follower) and following.pk in following_ids(follower)


FOLLOWING_CACHE_SECONDS = 300


def _following_key(user_id: Any) -> str:
    return f"social:following:{user_id}"


def following_ids(user) -> list:
    """Whom ``user`` follows, from the cache when it is there.

    Only the user's own follows and unfollows change this list, and both go through
    ``services.follow_create``/``follow_delete``, which drop the cache entry: feeds,
    profiles and the privacy check then skip a round trip per page.
    """
    key = _following_key(user.pk)
    ids = cache.get(key)
    if ids is None:
        ids = list(Follow.objects.filter(follower=user).values_list("following_id", flat=True))
        cache.set(key, ids, FOLLOWING_CACHE_SECONDS)
    return list(ids)


def following_ids_forget(user_id: Any) -> None:
    cache.delete(_following_key(user_id))


@dataclass(frozen=True)
class Relationship:
    blocked_by_them: bool = False
    blocked_by_me: bool = False
    following: bool = False

    @property
    def blocked(self) -> bool:
        return self.blocked_by_them or self.blocked_by_me


def relationship(viewer, person) -> Relationship:
    """How ``viewer`` relates to ``person`` (2 queries, remembered on ``person`` for the request)."""
    if not _authed(viewer) or viewer.pk == person.pk:
        return Relationship()
    cache = person.__dict__.setdefault("_social_relationships", {})
    if viewer.pk not in cache:
        blocks = list(
            Block.objects.filter(
                Q(blocker=viewer, blocked=person) | Q(blocker=person, blocked=viewer)
            ).values_list("blocker_id", flat=True)
        )
        cache[viewer.pk] = Relationship(
            blocked_by_them=person.pk in blocks,
            blocked_by_me=viewer.pk in blocks,
            following=person.pk in following_ids(viewer),
        )
    return cache[viewer.pk]


def allowed_visibilities(viewer, author) -> list[str]:
    """Which post visibilities of ``author`` ``viewer`` may see (empty when blocked)."""
    if _authed(viewer) and viewer.pk == author.pk:
        return [v.value for v in Post.Visibility]
    rel = relationship(viewer, author)
    if rel.blocked:
        return []
    if rel.following:
        return [Post.Visibility.PUBLIC, Post.Visibility.FOLLOWERS]
    return [Post.Visibility.PUBLIC]


def active_member(user, group) -> GroupMembership | None:
    if not _authed(user) or group is None:
        return None
    return GroupMembership.objects.filter(
        group=group, user=user, status=GroupMembership.Status.ACTIVE
    ).first()


def can_view_post(viewer, post: Post) -> bool:
    """The one privacy rule for a single post (page, comments, likes list, media)."""
    author_id = post.author_id
    if _authed(viewer) and viewer.pk == author_id:
        return post.deleted_at is None
    if not post.live:
        return False
    if post.visibility == Post.Visibility.PRIVATE:
        return False
    # Safety net for a deleted account: its posts are hidden when it is deleted, but a
    # post that step missed still never shows (the author is usually loaded already).
    if not post.author.is_visible:
        return False
    if not _authed(viewer):
        allowed = post.visibility == Post.Visibility.PUBLIC
    else:
        if Block.objects.filter(
            Q(blocker=viewer, blocked_id=author_id) | Q(blocker_id=author_id, blocked=viewer)
        ).exists():
            return False
        allowed = post.visibility == Post.Visibility.PUBLIC or author_id in following_ids(viewer)
    if allowed and post.closed_group:
        allowed = (
            _authed(viewer)
            and GroupMembership.objects.filter(
                group_id=post.group_id, user=viewer, status=GroupMembership.Status.ACTIVE
            ).exists()
        )
    return allowed


def post_for_viewer(viewer, post_id) -> Post:
    """The post if ``viewer`` may see it, else 404 (missing, private, blocked alike)."""
    oid = parse_object_id(post_id)
    if oid is None:
        raise Http404("No such post.")
    post = Post.objects.filter(pk=oid).first()
    if post is None or not can_view_post(viewer, attach_authors([post])[0]):
        raise Http404("No such post.")
    return post


# --- Decoration: what the viewer did to each post (2 queries per page) --------------------------


def decorate_posts(viewer, posts: list[Post]) -> list[Post]:
    for post in posts:
        post.viewer_liked = False
        post.viewer_saved = False
    if not posts or not _authed(viewer):
        return posts
    ids = [p.pk for p in posts]
    liked = set(
        Like.objects.filter(user=viewer, target_type=Like.Target.POST, target_id__in=ids).values_list(
            "target_id", flat=True
        )
    )
    saved = set(Save.objects.filter(user=viewer, post_id__in=ids).values_list("post_id", flat=True))
    for post in posts:
        post.viewer_liked = post.pk in liked
        post.viewer_saved = post.pk in saved
    return posts


def attach_authors(rows: list, field: str = "author") -> list:
    """Load the people of a page in one ``_id $in`` query.

    ``prefetch_related`` would do the same in one query too, but this backend phrases it as
    ``$expr: {$in: …}``, which no index serves: it reads the whole users collection.
    """
    ids = {getattr(r, f"{field}_id") for r in rows if field not in r._state.fields_cache}
    ids.discard(None)
    if ids:
        related = rows[0]._meta.get_field(field).related_model
        people = related._default_manager.in_bulk(list(ids))
        for row in rows:
            person = people.get(getattr(row, f"{field}_id"))
            if person is not None:
                setattr(row, field, person)
    return rows


def _id_page(
    queryset, cursor, viewer, *, key: str, size: int = PAGE_SIZE, exclude_authors=(), author=None, keep=None
) -> Page:
    """A newest-first keyset page. ``key`` names the feed and its filter (window cache)."""
    if exclude_authors:
        queryset = queryset.exclude(author_id__in=list(exclude_authors))
    rows = newest_first(queryset, key=key, cursor=parse_object_id(cursor) if cursor else None, size=size)
    next_cursor = str(rows[size - 1].pk) if len(rows) > size else None
    rows = rows[:size]
    if keep is not None:
        rows = [r for r in rows if keep(r)]
    if author is not None:
        for row in rows:
            row.author = author
    else:
        attach_authors(rows)
    return Page(decorate_posts(viewer, rows), next_cursor)


# --- Feeds ---------------------------------------------------------------------------------------


FOLLOWING_PROBE_HOURS = queryshape.PROBE_HOURS
FOLLOWING_WINDOW_CAP = 5000


def _following_hours(viewer, keep, now) -> int:
    """Hours of everyone's live posts that hold ~2 pages for this viewer (0: too sparse; cached)."""
    key = f"social:following-window:{viewer.pk}"
    hours = cache.get(key)
    if hours is not None:
        return hours
    hours = 0
    for probe in FOLLOWING_PROBE_HOURS:
        rows = list(
            Post.objects.filter(
                live=True, id__gte=ObjectId.from_datetime(now - timedelta(hours=probe))
            ).values_list("author_id", "visibility", "closed_group")[: FOLLOWING_WINDOW_CAP + 1]
        )
        if len(rows) > FOLLOWING_WINDOW_CAP:
            break
        matching = sum(1 for a, v, c in rows if keep(Post(author_id=a, visibility=v, closed_group=c)))
        if matching >= 2 * PAGE_SIZE:
            hours = probe
            break
    cache.set(key, hours, queryshape.WINDOW_TTL)
    return hours


def following_feed(viewer, cursor: str | None = None, *, now=None) -> Page:
    """People I follow (public and followers-only posts) and me (everything live).

    SecantusDB serves no index for ``author_id $in [...]``, so the page reads everyone's live
    posts of a recent window through the ``(live, _id)`` index and keeps the followed ones;
    the window (cached per viewer) holds about two pages. A viewer whose follows post too
    rarely for that gets the plain ``$in`` query (index-served on a real MongoDB).
    Blocking removes follows both ways, so no block lookup is needed here.
    """
    now = now or timezone.now()
    followed = following_ids(viewer)
    authors = {*followed, viewer.pk}

    def keep(post: Post) -> bool:
        if post.author_id == viewer.pk:
            return True
        return (
            post.author_id in authors and post.visibility != Post.Visibility.PRIVATE and not post.closed_group
        )

    oid = parse_object_id(cursor) if cursor else None
    hours = _following_hours(viewer, keep, now)
    rows = None
    if hours:
        top = oid.generation_time if oid is not None else now
        qs = Post.objects.filter(live=True, id__gte=ObjectId.from_datetime(top - timedelta(hours=hours)))
        if oid is not None:
            qs = qs.filter(id__lt=oid)
        candidates = [p for p in qs.order_by("-id")[:FOLLOWING_WINDOW_CAP] if keep(p)]
        if len(candidates) > PAGE_SIZE:
            rows = candidates[: PAGE_SIZE + 1]
            next_cursor = str(rows[PAGE_SIZE - 1].pk)
            items = rows[:PAGE_SIZE]
    if rows is None:
        qs = Post.objects.filter(author_id__in=list(authors), live=True)
        if oid is not None:
            qs = qs.filter(id__lt=oid)
        fetched = list(qs.order_by("-id")[: PAGE_SIZE + 1])
        next_cursor = str(fetched[PAGE_SIZE - 1].pk) if len(fetched) > PAGE_SIZE else None
        items = [p for p in fetched[:PAGE_SIZE] if keep(p)]
    page = Page(decorate_posts(viewer, attach_authors(items)), next_cursor)
    page.extra["following_ids"] = followed
    return page


def explore_feed(viewer, *, category: str | None = None, cursor: str | None = None) -> Page:
    qs = Post.objects.filter(listed=True)
    if category:
        qs = qs.filter(category=category)
    return _id_page(
        qs, cursor, viewer, key=f"explore:{category or 'all'}", exclude_authors=blocked_user_ids(viewer)
    )


def tag_feed(viewer, tag: str, cursor: str | None = None) -> Page:
    qs = Post.objects.filter(listed=True, tags__contains=[tag])
    return _id_page(qs, cursor, viewer, key=f"tag:{tag}", exclude_authors=blocked_user_ids(viewer))


def featured_posts(viewer, limit: int = 6) -> list[Post]:
    rows = list(Post.objects.filter(listed=True, is_featured=True).order_by("-id")[:limit])
    return decorate_posts(viewer, rows)


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
    return _id_page(qs, cursor, viewer, key=key, author=person, keep=keep)


def profile_context(viewer, person, category: str | None = None, cursor: str | None = None) -> dict:
    """Everything ``templates/social/includes/profile_posts.html`` needs (for the accounts profile page)."""
    category = category if category in Post.Category.values else None
    return {
        "person": person,
        "page": profile_posts(viewer, person, category=category, cursor=cursor),
        "category": category,
        "categories": Post.Category.choices,
        "is_following": relationship(viewer, person).following,
    }


def liked_posts(viewer, cursor: str | None = None) -> Page:
    qs = Like.objects.filter(user=viewer, target_type=Like.Target.POST)
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__lt=oid)
    likes = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    next_cursor = str(likes[PAGE_SIZE - 1].pk) if len(likes) > PAGE_SIZE else None
    likes = likes[:PAGE_SIZE]
    posts_by_id = Post.objects.in_bulk([like.target_id for like in likes])
    attach_authors(list(posts_by_id.values()))
    followed = set(following_ids(viewer))
    blocked = blocked_user_ids(viewer)
    posts = []
    for like in likes:
        post = posts_by_id.get(like.target_id)
        if post is None or not _visible_in_list(viewer, post, followed, blocked):
            continue
        posts.append(post)
    return Page(decorate_posts(viewer, posts), next_cursor)


def _visible_in_list(viewer, post: Post, followed: set, blocked: set) -> bool:
    """``can_view_post`` without per-post queries, for lists of other people's posts."""
    if post.author_id == viewer.pk:
        return post.deleted_at is None
    if not post.live or post.closed_group or post.author_id in blocked:
        return False
    if post.visibility == Post.Visibility.PUBLIC:
        return True
    return post.visibility == Post.Visibility.FOLLOWERS and post.author_id in followed


def saved_posts(viewer, collection: SaveCollection | None = None, cursor: str | None = None) -> Page:
    qs = Save.objects.filter(user=viewer)
    if collection is not None:
        qs = Save.objects.filter(collection=collection)
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__lt=oid)
    saves = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    next_cursor = str(saves[PAGE_SIZE - 1].pk) if len(saves) > PAGE_SIZE else None
    saves = saves[:PAGE_SIZE]
    attach_authors(saves, "post")
    attach_authors(saves, "collection")
    attach_authors([s.post for s in saves])
    followed = set(following_ids(viewer))
    blocked = blocked_user_ids(viewer)
    visible = [s for s in saves if _visible_in_list(viewer, s.post, followed, blocked)]
    decorate_posts(viewer, [s.post for s in visible])
    return Page(visible, next_cursor)


def save_collections(user) -> list[SaveCollection]:
    return list(SaveCollection.objects.filter(user=user).order_by("name"))


# --- Comments -------------------------------------------------------------------------------------


def post_comments(viewer, post: Post, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """A page of threads (top-level comments, oldest first) with all their replies: 3-4 queries."""
    qs = Comment.objects.filter(post=post, parent=None)
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__gt=oid)
    roots = list(qs.order_by("id")[: size + 1])
    next_cursor = str(roots[size - 1].pk) if len(roots) > size else None
    roots = roots[:size]
    replies = list(Comment.objects.filter(root_id__in=[r.pk for r in roots]).order_by("id")) if roots else []
    everything = attach_authors(roots + replies)
    liked = set()
    if _authed(viewer) and everything:
        liked = set(
            Like.objects.filter(
                user=viewer, target_type=Like.Target.COMMENT, target_id__in=[c.pk for c in everything]
            ).values_list("target_id", flat=True)
        )
    children: dict = {}
    for comment in everything:
        comment.viewer_liked = comment.pk in liked
        comment.children = []
        if comment.parent_id:
            children.setdefault(comment.parent_id, []).append(comment)
    for comment in everything:
        comment.children = children.get(comment.pk, [])
    return Page(roots, next_cursor)


def comment_for_viewer(viewer, comment_id) -> Comment:
    oid = parse_object_id(comment_id)
    comment = Comment.objects.filter(pk=oid).first() if oid else None
    if comment is None or comment.deleted_at is not None:
        raise Http404("No such comment.")
    if not can_view_post(viewer, comment.post):
        raise Http404("No such comment.")
    return comment


def post_likers(viewer, post: Post, cursor: str | None = None) -> Page:
    qs = Like.objects.filter(target_type=Like.Target.POST, target_id=post.pk)
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__lt=oid)
    likes = attach_authors(list(qs.order_by("-id")[: PAGE_SIZE + 1]), "user")
    next_cursor = str(likes[PAGE_SIZE - 1].pk) if len(likes) > PAGE_SIZE else None
    return Page([like.user for like in likes[:PAGE_SIZE]], next_cursor)


# --- People ---------------------------------------------------------------------------------------


def person_for_viewer(viewer, username: str):
    """A visible person, or 404 (also when they blocked the viewer)."""
    person = user_get_public(username=username)
    if relationship(viewer, person).blocked_by_them:
        raise Http404("No such person.")
    return person


def follow_list(person, *, direction: str, cursor: str | None = None) -> Page:
    """Followers (``direction="followers"``) or people followed (``"following"``)."""
    if direction == "followers":
        qs, related = Follow.objects.filter(following=person), "follower"
    else:
        qs, related = Follow.objects.filter(follower=person), "following"
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__lt=oid)
    rows = attach_authors(list(qs.order_by("-id")[: PAGE_SIZE + 1]), related)
    next_cursor = str(rows[PAGE_SIZE - 1].pk) if len(rows) > PAGE_SIZE else None
    return Page([getattr(r, related) for r in rows[:PAGE_SIZE]], next_cursor)


def dashboard(user) -> dict:
    """My post stats by category, new followers in 30 days, AI usage."""
    by_category = {
        row["category"]: row
        for row in Post.objects.filter(author=user, deleted_at=None)
        .values("category")
        .annotate(
            likes=Sum("likes_count"),
            comments=Sum("comments_count"),
            shares=Sum("shares_count"),
            saves=Sum("saves_count"),
            views=Sum("views_count"),
        )
    }
    rows = []
    for value, label in Post.Category.choices:
        row = by_category.get(value, {})
        rows.append(
            {
                "category": label,
                **{k: row.get(k) or 0 for k in ("likes", "comments", "shares", "saves", "views")},
            }
        )
    since = timezone.now() - timedelta(days=30)
    new_followers = Follow.objects.filter(following=user, id__gte=ObjectId.from_datetime(since)).count()
    ai_posts = list(
        Post.objects.filter(author=user, ai_generated=True, deleted_at=None).values_list(
            "ai_details", flat=True
        )
    )
    ai_cost = 0
    models_used: dict[str, int] = {}
    for details in ai_posts:
        if not details:
            continue
        cost = details.get("cost", 0) if isinstance(details, dict) else getattr(details, "cost", 0)
        model = details.get("model", "") if isinstance(details, dict) else getattr(details, "model", "")
        ai_cost += cost or 0
        if model:
            models_used[model] = models_used.get(model, 0) + 1
    return {
        "by_category": rows,
        "new_followers_30d": new_followers,
        "ai_posts": len(ai_posts),
        "ai_cost": ai_cost,
        "ai_models": sorted(models_used.items(), key=lambda kv: -kv[1]),
    }


# --- Notifications, stories, tags, groups -----------------------------------------------------------


def notifications_page(user, cursor: str | None = None) -> Page:
    qs = Notification.objects.filter(recipient=user)
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__lt=oid)
    rows = attach_authors(list(qs.order_by("-id")[: PAGE_SIZE + 1]), "actor")
    next_cursor = str(rows[PAGE_SIZE - 1].pk) if len(rows) > PAGE_SIZE else None
    return Page(rows[:PAGE_SIZE], next_cursor)


def unread_count(user) -> int:
    if not _authed(user):
        return 0
    return Notification.objects.filter(recipient=user, read=False).count()


def active_stories(viewer, *, now=None, followed=None) -> list[Story]:
    """Stories of people I follow and mine that have not expired (even before the TTL sweep)."""
    now = now or timezone.now()
    followed = following_ids(viewer) if followed is None else followed
    # Stories live 24 hours (TTL index), so this collection stays small.
    stories = list(
        Story.objects.filter(author_id__in=[*followed, viewer.pk], expires_at__gt=now).order_by("-id")[:200]
    )
    return attach_authors(stories)


def story_for_viewer(viewer, story_id, *, now=None) -> Story:
    now = now or timezone.now()
    oid = parse_object_id(story_id)
    story = Story.objects.filter(pk=oid).first() if oid else None
    if story is not None:
        attach_authors([story])
    if story is None or story.expires_at <= now:
        raise Http404("No such story.")
    if _authed(viewer) and viewer.pk == story.author_id:
        return story
    if not _authed(viewer) or is_blocked_between(viewer, story.author):
        raise Http404("No such story.")
    if story.visibility == Story.Visibility.FOLLOWERS and not is_following(viewer, story.author):
        raise Http404("No such story.")
    return story


def trending_tags(limit: int = 30) -> list[Tag]:
    return list(Tag.objects.filter(usage_count__gt=0).order_by("-trending_score")[:limit])


def group_for_viewer(viewer, slug: str) -> tuple[Group, GroupMembership | None]:
    group = Group.objects.filter(slug=slug, is_active=True).first()
    if group is None:
        raise Http404("No such group.")
    membership = None
    if _authed(viewer):
        membership = GroupMembership.objects.filter(group=group, user=viewer).first()
    if group.visibility == Group.Visibility.SECRET and membership is None:
        raise Http404("No such group.")
    return group, membership


def group_posts(viewer, group: Group, membership, cursor: str | None = None) -> Page:
    if group.visibility != Group.Visibility.PUBLIC and not (membership and membership.is_active):
        return Page([], None, {"members_only": True})
    qs = Post.objects.filter(group=group, live=True)
    return _id_page(qs, cursor, viewer, key=f"group:{group.pk}", exclude_authors=blocked_user_ids(viewer))


def groups_list(viewer, cursor: str | None = None) -> Page:
    qs = Group.objects.filter(
        is_active=True, visibility__in=[Group.Visibility.PUBLIC, Group.Visibility.PRIVATE]
    )
    oid = parse_object_id(cursor) if cursor else None
    if oid is not None:
        qs = qs.filter(id__lt=oid)
    rows = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    next_cursor = str(rows[PAGE_SIZE - 1].pk) if len(rows) > PAGE_SIZE else None
    return Page(rows[:PAGE_SIZE], next_cursor)


def my_groups(user) -> list[GroupMembership]:
    if not _authed(user):
        return []
    return attach_authors(list(GroupMembership.objects.filter(user=user).order_by("-id")[:100]), "group")


def is_shown_comment(comment: Comment) -> bool:
    return comment.deleted_at is None and comment.moderation_state == ModerationState.OK
