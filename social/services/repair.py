"""Recounting denormalised counters from the documents that prove them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from social.models import (
    Comment,
    Follow,
    Like,
    ModerationState,
    Post,
    Save,
    Share,
)
from social.services.counters import _user_collection

User = get_user_model()


def counters_recount(*, post_ids=None, user_ids=None) -> dict:
    """Recompute counters from the documents that prove them (repair after a crash)."""
    fixed = {"posts": 0, "users": 0}
    posts = Post.objects.all() if post_ids is None else Post.objects.filter(pk__in=list(post_ids))
    for post in posts.only("id", "views_count", "shares_count"):
        likes = Like.objects.filter(target_type=Like.Target.POST, target_id=post.pk).count()
        comments = Comment.objects.filter(
            post=post, deleted_at=None, moderation_state=ModerationState.OK
        ).count()
        saves = Save.objects.filter(post=post).count()
        shares = Share.objects.filter(post=post).count()
        hot = 20 * likes + 30 * comments + 50 * shares + post.views_count
        fixed["posts"] += Post.objects.filter(pk=post.pk).update(
            likes_count=likes, comments_count=comments, saves_count=saves, shares_count=shares, hot=hot
        )
    users = User.objects.all() if user_ids is None else User.objects.filter(pk__in=list(user_ids))
    collection = _user_collection()
    for user in users.only("id"):
        post_ids_of_user = list(Post.objects.filter(author=user).values_list("id", flat=True))
        comment_ids = list(Comment.objects.filter(author=user).values_list("id", flat=True))
        likes_received = Like.objects.filter(
            Q(target_type=Like.Target.POST, target_id__in=post_ids_of_user)
            | Q(target_type=Like.Target.COMMENT, target_id__in=comment_ids)
        ).count()
        collection.update_one(
            {"_id": user.pk},
            {
                "$set": {
                    "stats.followers": Follow.objects.filter(following=user).count(),
                    "stats.following": Follow.objects.filter(follower=user).count(),
                    "stats.posts": Post.objects.filter(author=user, live=True).count(),
                    "stats.likes_received": likes_received,
                }
            },
        )
        fixed["users"] += 1
    return fixed
