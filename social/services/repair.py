"""Recounting denormalised counters from the documents that prove them.

Every counter moves right after its proving write (see the package docstring); a
process that died between the two leaves it off by one. ``counters_recount`` compares
each counter with the true count and, unless told only to check, sets it back.

What is recounted, and from what:

- posts: likes, comments (shown ones), saves, shares, and ``hot`` (its views part stays:
  the PostView proofs expire after two days, so ``views_count`` cannot be recounted);
- comments: likes, replies (not deleted);
- groups: active members, active admins, posts (not deleted);
- save collections: saves;
- tags: usage (live posts carrying the tag; a tag used by live posts but missing its
  document gets one); the decayed ``trending_score`` is left alone (it has no proof);
- people: followers, following, live posts (in all and per category), likes received on their
  posts and comments (``stats.views`` stays, for the same reason as ``views_count``).

Each count is one aggregation per kind (``$group``), not a query per document.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count

from social.models import (
    Comment,
    Follow,
    Group,
    GroupMembership,
    Like,
    ModerationState,
    Post,
    Save,
    SaveCollection,
    Share,
    Tag,
)
from social.services.counters import _user_collection, tag_usage_add

User = get_user_model()

# A person's per-category post counter, named as a field of ``User.stats`` ($set path).
CATEGORY_PREFIX = "posts_by_category."

# What each interaction adds to a post's ``hot`` score (the services move it by these).
HOT_WEIGHTS = {"likes_count": 20, "comments_count": 30, "shares_count": 50}


@dataclass(frozen=True)
class Drift:
    """One counter that differed from its true count."""

    kind: str
    pk: Any
    field: str
    stored: int
    true: int

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}: {self.field} stored={self.stored} true={self.true} drift={self.stored - self.true:+d}"


def _counts(queryset, key: str) -> Counter:
    """How many documents of ``queryset`` there are per value of ``key`` (one aggregation)."""
    return Counter({row[key]: row["n"] for row in queryset.values(key).annotate(n=Count("id"))})


def _scoped(queryset, field: str, ids):
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def _compare(kind: str, pk, stored: dict[str, int], true: dict[str, int]) -> list[Drift]:
    return [
        Drift(kind, pk, name, stored[name] or 0, true[name])
        for name in true
        if (stored[name] or 0) != true[name]
    ]


def _recount_rows(kind: str, rows, truth, write, *, fix: bool) -> list[Drift]:
    """Compare each row's stored counters (a dict with ``pk``) with ``truth(row)``; write the true ones."""
    drifts: list[Drift] = []
    for row in rows:
        true = truth(row)
        found = _compare(kind, row["pk"], row, true)
        if found and fix:
            write(row["pk"], {d.field: d.true for d in found})
        drifts += found
    return drifts


def _model_writer(model):
    return lambda pk, values: model.objects.filter(pk=pk).update(**values)


def _posts(post_ids, *, fix: bool) -> list[Drift]:
    posts = _scoped(Post.objects.all(), "pk", post_ids)
    likes = _counts(
        _scoped(Like.objects.filter(target_type=Like.Target.POST), "target_id", post_ids), "target_id"
    )
    comments = _counts(
        _scoped(
            Comment.objects.filter(deleted_at=None, moderation_state=ModerationState.OK), "post_id", post_ids
        ),
        "post_id",
    )
    saves = _counts(_scoped(Save.objects.all(), "post_id", post_ids), "post_id")
    shares = _counts(_scoped(Share.objects.all(), "post_id", post_ids), "post_id")

    def truth(row) -> dict[str, int]:
        pk = row["pk"]
        true = {
            "likes_count": likes[pk],
            "comments_count": comments[pk],
            "saves_count": saves[pk],
            "shares_count": shares[pk],
        }
        true["hot"] = sum(w * true[f] for f, w in HOT_WEIGHTS.items()) + (row["views_count"] or 0)
        return true

    fields = ("pk", "likes_count", "comments_count", "saves_count", "shares_count", "views_count", "hot")
    return _recount_rows("post", posts.values(*fields), truth, _model_writer(Post), fix=fix)


def _comments(post_ids, *, fix: bool) -> list[Drift]:
    comments = _scoped(Comment.objects.all(), "post_id", post_ids)
    comment_ids = None if post_ids is None else list(comments.values_list("pk", flat=True))
    likes = _counts(
        _scoped(Like.objects.filter(target_type=Like.Target.COMMENT), "target_id", comment_ids), "target_id"
    )
    replies = _counts(_scoped(Comment.objects.filter(deleted_at=None), "parent_id", comment_ids), "parent_id")
    return _recount_rows(
        "comment",
        comments.values("pk", "likes_count", "replies_count"),
        lambda row: {"likes_count": likes[row["pk"]], "replies_count": replies[row["pk"]]},
        _model_writer(Comment),
        fix=fix,
    )


def _groups(*, fix: bool) -> list[Drift]:
    active = GroupMembership.objects.filter(status=GroupMembership.Status.ACTIVE)
    members = _counts(active, "group_id")
    admins = _counts(active.filter(role=GroupMembership.Role.ADMIN), "group_id")
    posts = _counts(Post.objects.filter(deleted_at=None).exclude(group=None), "group_id")
    return _recount_rows(
        "group",
        Group.objects.values("pk", "members_count", "admins_count", "posts_count"),
        lambda row: {
            "members_count": members[row["pk"]],
            "admins_count": admins[row["pk"]],
            "posts_count": posts[row["pk"]],
        },
        _model_writer(Group),
        fix=fix,
    )


def _collections(*, fix: bool) -> list[Drift]:
    saves = _counts(Save.objects.all(), "collection_id")
    return _recount_rows(
        "collection",
        SaveCollection.objects.values("pk", "saves_count"),
        lambda row: {"saves_count": saves[row["pk"]]},
        _model_writer(SaveCollection),
        fix=fix,
    )


def _tags(*, fix: bool) -> list[Drift]:
    usage: Counter = Counter()
    for tags in Post.objects.filter(live=True).values_list("tags", flat=True):
        usage.update(tags or [])
    stored = [
        {"pk": name, "usage_count": count} for name, count in Tag.objects.values_list("name", "usage_count")
    ]
    drifts = _recount_rows(
        "tag",
        stored,
        lambda row: {"usage_count": usage[row["pk"]]},
        lambda name, values: Tag.objects.filter(name=name).update(**values),
        fix=fix,
    )
    for name in usage.keys() - {row["pk"] for row in stored}:  # used by live posts, yet no Tag document
        drifts.append(Drift("tag", name, "usage_count", 0, usage[name]))
        if fix:
            tag_usage_add([name], usage[name])
    return drifts


def _people(user_ids, *, fix: bool) -> list[Drift]:
    users = _scoped(User.objects.all(), "pk", user_ids)
    followers = _counts(_scoped(Follow.objects.all(), "following_id", user_ids), "following_id")
    following = _counts(_scoped(Follow.objects.all(), "follower_id", user_ids), "follower_id")
    live = _scoped(Post.objects.filter(live=True), "author_id", user_ids)
    posts = _counts(live, "author_id")
    per_category = Counter(
        {
            (row["author_id"], row["category"]): row["n"]
            for row in live.values("author_id", "category").annotate(n=Count("id"))
        }
    )
    likes_received: Counter = Counter()
    for model, target in ((Post, Like.Target.POST), (Comment, Like.Target.COMMENT)):
        author_of = dict(_scoped(model.objects.all(), "author_id", user_ids).values_list("pk", "author_id"))
        liked = _scoped(
            Like.objects.filter(target_type=target),
            "target_id",
            None if user_ids is None else list(author_of),
        )
        for target_id, n in _counts(liked, "target_id").items():
            if target_id in author_of:
                likes_received[author_of[target_id]] += n
    collection = _user_collection()

    def write(pk, values) -> None:
        collection.update_one({"_id": pk}, {"$set": {f"stats.{name}": v for name, v in values.items()}})

    def rows():
        for pk, stats in users.values_list("pk", "stats"):
            stats = stats or {}
            get = stats.get if isinstance(stats, dict) else lambda name, s=stats: getattr(s, name, 0)
            # Each category's counter is its own field here ("posts_by_category.<category>"): the
            # categories there are, and any other key a stored document carries.
            by_category = get("posts_by_category") or {}
            yield {
                "pk": pk,
                **{name: get(name) for name in ("followers", "following", "posts", "likes_received")},
                **{
                    f"{CATEGORY_PREFIX}{c}": by_category.get(c, 0)
                    for c in {*Post.Category.values, *by_category}
                },
            }

    def truth(row) -> dict[str, int]:
        pk = row["pk"]
        return {
            "followers": followers[pk],
            "following": following[pk],
            "posts": posts[pk],
            "likes_received": likes_received[pk],
            **{
                name: per_category[pk, name.removeprefix(CATEGORY_PREFIX)]
                for name in row
                if name.startswith(CATEGORY_PREFIX)
            },
        }

    return _recount_rows("user", rows(), truth, write, fix=fix)


def counters_recount(*, post_ids=None, user_ids=None, fix: bool = True) -> list[Drift]:
    """Every counter that differs from its true count; set back to the truth unless ``fix`` is False.

    ``post_ids`` limits the posts (with their comments) and ``user_ids`` the people looked at
    (each all when not given); groups, collections and tags are recounted in a full run only.
    """
    drifts = _posts(post_ids, fix=fix) + _comments(post_ids, fix=fix) + _people(user_ids, fix=fix)
    if post_ids is None and user_ids is None:
        drifts += _groups(fix=fix) + _collections(fix=fix) + _tags(fix=fix)
    return drifts
