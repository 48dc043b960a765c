"""A post and what hangs on it: the post for a viewer, its comments and likers, my likes and saves."""

from __future__ import annotations

from django.http import Http404

from modelsnapper.ids import parse_object_id
from social.models import Comment, Like, Post, Save, SaveCollection
from social.selectors.paging import PAGE_SIZE, Page, attach_authors, keyset, oldest_after
from social.selectors.privacy import _authed, _visible_in_list, blocked_user_ids, can_view_post, following_ids


def post_for_viewer(viewer, post_id) -> Post:
    """The post if ``viewer`` may see it, else 404 (missing, private, blocked alike)."""
    oid = parse_object_id(post_id)
    if oid is None:
        raise Http404("No such post.")
    post = Post.objects.filter(pk=oid).first()
    if post is None or not can_view_post(viewer, attach_authors([post])[0]):
        raise Http404("No such post.")
    return post


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


def liked_posts(viewer, cursor: str | None = None) -> Page:
    likes, next_cursor = keyset(Like.objects.filter(user=viewer, target_type=Like.Target.POST), cursor)
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
    visible = [s for s in saves if _visible_in_list(viewer, s.post, followed, blocked)]
    decorate_posts(viewer, [s.post for s in visible])
    return Page(visible, next_cursor)


def save_collections(user) -> list[SaveCollection]:
    return list(SaveCollection.objects.filter(user=user).order_by("name"))


def post_comments(viewer, post: Post, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """A page of threads (top-level comments, oldest first) with all their replies: 3-4 queries."""
    roots, next_cursor = keyset(
        Comment.objects.filter(post=post, parent=None), cursor, size=size, read=oldest_after
    )
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
    likes, next_cursor = keyset(Like.objects.filter(target_type=Like.Target.POST, target_id=post.pk), cursor)
    return Page([like.user for like in attach_authors(likes, "user")], next_cursor)
