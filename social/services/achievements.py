"""When social activity pays coins (issue #14 items 12 and 13): the rules of "when".

The paying itself is billing's (``billing.services.coins``), once per key or badge; this
module only decides which reward or badge an event earns, reading the counters the event
just moved. Thresholds are ``>=``, not ``==``: two concurrent likes can both read 11 and
skip 10, and billing's unique keys make a repeated attempt pay nothing.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from billing.models import Achievement
from billing.services.coins import POST_LIKES_REWARD_AT, Reward, achievement_grant, coins_reward
from social.models import Post

LIKES_BADGE_AT = 100
FOLLOWERS_BADGE_AT = 10


def _stat(user_id: Any, name: str) -> int:
    user = User.objects.filter(pk=user_id).only("stats").first()
    return getattr(user.stats, name, 0) if user is not None else 0


def coins_after_post(*, post: Post) -> None:
    """A live post: the first-post reward and badge (each pays once per user)."""
    if not post.live:
        return
    coins_reward(user=post.author, reward=Reward.FIRST_POST, related=post)
    achievement_grant(user=post.author, code=Achievement.Code.FIRST_POST)


def coins_after_like(*, post: Post) -> None:
    """A like on ``post`` (or one of its comments): the post's 10-likes reward, the author's 100-likes badge."""
    # Two reads by _id. Not one read with the author joined: the backend joins before it
    # matches, so that read looked up the author of every post (a like took seconds at 2,000 posts).
    likes = Post.objects.filter(pk=post.pk).values_list("likes_count", flat=True).first() or 0
    if likes >= POST_LIKES_REWARD_AT:
        coins_reward(user=post.author, reward=Reward.POST_LIKES, related=post)
    if _stat(post.author_id, "likes_received") >= LIKES_BADGE_AT:
        achievement_grant(user=post.author, code=Achievement.Code.LIKES_100)


def coins_after_follow(*, following: User) -> None:
    """A new follower: the 10-followers badge."""
    if _stat(following.pk, "followers") >= FOLLOWERS_BADGE_AT:
        achievement_grant(user=following, code=Achievement.Code.FOLLOWERS_10)
