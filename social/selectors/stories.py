"""Reads for stories that only their author sees: who viewed, the close-friends list."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from social.models import CloseFriend, Follow, StoryView
from social.selectors.paging import attach_authors
from social.selectors.privacy import blocked_user_ids

User = get_user_model()

# A story lives 24 hours; its viewer list and the candidate list are shown whole, up to this.
LIST_CAP = 500


def story_viewers(story) -> list:
    """Who viewed ``story``, newest first (StoryView rows with ``viewer`` attached). For its author only:
    the view decides that, this read does not."""
    views = list(StoryView.objects.filter(story=story).order_by("-id")[:LIST_CAP])
    return attach_authors(views, "viewer")


def close_friends(owner) -> list:
    """The people on ``owner``'s close-friends list, by username."""
    ids = list(CloseFriend.objects.filter(owner=owner).values_list("friend_id", flat=True)[:LIST_CAP])
    return sorted(User.objects.in_bulk(ids).values(), key=lambda u: u.username) if ids else []


def close_friend_candidates(owner) -> list:
    """People ``owner`` follows or who follow ``owner``, not yet on the list and not blocked."""
    following = Follow.objects.filter(follower=owner).values_list("following_id", flat=True)[:LIST_CAP]
    followers = Follow.objects.filter(following=owner).values_list("follower_id", flat=True)[:LIST_CAP]
    on_list = set(CloseFriend.objects.filter(owner=owner).values_list("friend_id", flat=True))
    ids = ({*following, *followers} - on_list) - blocked_user_ids(owner)
    people = User.objects.in_bulk(list(ids)).values() if ids else []
    return sorted((p for p in people if p.is_visible), key=lambda u: u.username)
