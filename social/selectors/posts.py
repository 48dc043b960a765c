"""A post and what hangs on it: the post for a viewer, its comments and likers, my likes and saves."""

from __future__ import annotations

from django.db import connections
from django.http import Http404

from modelsnapper.ids import parse_object_id
from social.models import Comment, Like, Post, Save, SaveCollection
from social.selectors.paging import PAGE_SIZE, Page, attach_authors, keyset, oldest_after
from social.selectors.privacy import (
    blocked_user_ids,
    can_view_post,
    following_ids,
    is_authed,
    visible_in_list,
)


def post_for_viewer(viewer, post_id) -> Post:
    """The post if ``viewer`` may see it, else 404 (missing, private, blocked alike)."""
    oid = parse_object_id(post_id)
    if oid is None:
        raise Http404("No such post.")
    post = Post.objects.filter(pk=oid).first()
    if post is None or not can_view_post(viewer, attach_authors([post])[0]):
        raise Http404("No such post.")
    return post


def _viewer_marks(viewer, post_ids: list, comment_ids: list = ()) -> tuple[set, set, set]:
    """(posts I liked, posts I saved, comments I liked) among these ids, in one round trip.

    One aggregation on the likes with the saves (and the comment likes) joined by
    ``$unionWith``; each branch is an equality match on the viewer's unique index
    (``uniq_like``: user, target_type, target_id; ``uniq_save``: user, post).
    """
    like_table, save_table = Like._meta.db_table, Save._meta.db_table

    def likes(kind: str, ids) -> list:
        return [
            {"$match": {"user_id": viewer.pk, "target_type": kind, "target_id": {"$in": list(ids)}}},
            {"$project": {"_id": 0, "mark": {"$literal": kind}, "id": "$target_id"}},
        ]

    pipeline = [
        *likes(Like.Target.POST.value, post_ids),
        {
            "$unionWith": {
                "coll": save_table,
                "pipeline": [
                    {"$match": {"user_id": viewer.pk, "post_id": {"$in": list(post_ids)}}},
                    {"$project": {"_id": 0, "mark": {"$literal": "save"}, "id": "$post_id"}},
                ],
            }
        },
    ]
    if comment_ids:
        pipeline.append(
            {"$unionWith": {"coll": like_table, "pipeline": likes(Like.Target.COMMENT.value, comment_ids)}}
        )
    connection = connections[Like.objects.db]
    marks: dict[str, set] = {Like.Target.POST.value: set(), "save": set(), Like.Target.COMMENT.value: set()}
    for row in connection.get_collection(like_table).aggregate(pipeline, session=connection.session):
        marks[row["mark"]].add(row["id"])
    return marks[Like.Target.POST.value], marks["save"], marks[Like.Target.COMMENT.value]


def decorate_posts(viewer, posts: list[Post], comments: list[Comment] = ()) -> list[Post]:
    """Mark what ``viewer`` liked and saved among ``posts`` (and liked among ``comments``)."""
    for post in posts:
        post.viewer_liked = False
        post.viewer_saved = False
    for comment in comments:
        comment.viewer_liked = False
    if not (posts or comments) or not is_authed(viewer):
        return posts
    liked, saved, liked_comments = _viewer_marks(viewer, [p.pk for p in posts], [c.pk for c in comments])
    for post in posts:
        post.viewer_liked = post.pk in liked
        post.viewer_saved = post.pk in saved
    for comment in comments:
        comment.viewer_liked = comment.pk in liked_comments
    return posts


def liked_posts(viewer, cursor: str | None = None) -> Page:
    likes, next_cursor = keyset(Like.objects.filter(user=viewer, target_type=Like.Target.POST), cursor)
    posts_by_id = Post.objects.in_bulk([like.target_id for like in likes])
    attach_authors(list(posts_by_id.values()))
    followed = set(following_ids(viewer))
    blocked = blocked_user_ids(viewer)
    posts = []
    for like in likes:
        post = posts_by_id.get(like.target_id)
        if post is None or not visible_in_list(viewer, post, followed, blocked):
            continue
        posts.append(post)
    return Page(decorate_posts(viewer, posts), next_cursor)


def saved_posts(viewer, collection: SaveCollection | None = None, cursor: str | None = None) -> Page:
    qs = Save.objects.filter(user=viewer)
    if collection is not None:
        qs = Save.objects.filter(collection=collection)
    saves, next_cursor = keyset(qs, cursor)
    attach_authors(saves, "post")
    attach_authors(saves, "collection")
    attach_authors([s.post for s in saves])
    followed = set(following_ids(viewer))
    blocked = blocked_user_ids(viewer)
    visible = [s for s in saves if visible_in_list(viewer, s.post, followed, blocked)]
    decorate_posts(viewer, [s.post for s in visible])
    return Page(visible, next_cursor)


def save_collections(user) -> list[SaveCollection]:
    return list(SaveCollection.objects.filter(user=user).order_by("name"))


def _comment_threads(post: Post, cursor: str | None, size: int) -> tuple[list, list, str | None]:
    """A page of threads (top-level comments, oldest first) and all their replies: 2 queries."""
    roots, next_cursor = keyset(
        Comment.objects.filter(post=post, parent=None), cursor, size=size, read=oldest_after
    )
    replies = list(Comment.objects.filter(root_id__in=[r.pk for r in roots]).order_by("id")) if roots else []
    return roots, replies, next_cursor


def _threaded(roots: list, replies: list) -> list:
    children: dict = {}
    for comment in roots + replies:
        comment.children = []
        if comment.parent_id:
            children.setdefault(comment.parent_id, []).append(comment)
    for comment in roots + replies:
        comment.children = children.get(comment.pk, [])
    return roots


def post_comments(viewer, post: Post, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """A page of threads with their replies, authors and my likes: 4 queries."""
    roots, replies, next_cursor = _comment_threads(post, cursor, size)
    everything = attach_authors(roots + replies)
    decorate_posts(viewer, [], everything)
    return Page(_threaded(roots, replies), next_cursor)


def post_page(viewer, post_id, cursor: str | None = None) -> tuple[Post, Page]:
    """A post's page: the post if ``viewer`` may see it (else 404, as ``post_for_viewer``), a page
    of its comment threads, everyone's people, and my likes and saves: 5 round trips.

    The comments are read before the privacy check so that the post's author and the
    commenters come in one query; a post the viewer may not see is a 404 all the same.
    """
    oid = parse_object_id(post_id)
    post = Post.objects.filter(pk=oid).first() if oid is not None else None
    if post is None:
        raise Http404("No such post.")
    roots, replies, next_cursor = _comment_threads(post, cursor, PAGE_SIZE)
    attach_authors([post, *roots, *replies])
    if not can_view_post(viewer, post):
        raise Http404("No such post.")
    decorate_posts(viewer, [post], roots + replies)
    return post, Page(_threaded(roots, replies), next_cursor)


def comment_for_viewer(viewer, comment_id) -> Comment:
    oid = parse_object_id(comment_id)
    comment = Comment.objects.filter(pk=oid).first() if oid else None
    if comment is None or comment.deleted_at is not None:
        raise Http404("No such comment.")
    if not can_view_post(viewer, comment.post):
        raise Http404("No such comment.")
    return comment


def post_likers(viewer, post: Post, cursor: str | None = None) -> Page:
    likes, next_cursor = keyset(Like.objects.filter(target_type=Like.Target.POST, target_id=post.pk), cursor)
    return Page([like.user for like in attach_authors(likes, "user")], next_cursor)
