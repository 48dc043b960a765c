"""Reads for the social pages, with every privacy rule in one place.

Query shape (see STACK.md "Speed traps"): equality on ids or on one derived flag
(``Post.live``/``Post.listed``), keyset ("load more") pagination on the ObjectId
(time ordered) bounded to a recent window (``social.queryshape``), authors fetched in
one ``_id $in`` query instead of a ``$lookup`` join, counters read from fields. So the
number of round trips per page is fixed whatever the size of the collection.

One module per concern (``privacy`` holds every visibility rule); this package
re-exports every public name, so ``from social import selectors`` keeps working.
"""

from modelsnapper.ids import parse_object_id  # views and tasks parse ids through selectors
from social.selectors.dashboard import dashboard
from social.selectors.feeds import (
    FEATURED_LIMIT,
    FOLLOWING_PROBE_HOURS,
    FOLLOWING_WINDOW_CAP,
    TRENDING_PERIODS,
    TRENDING_SNAPSHOT,
    TRENDING_TTL,
    Featured,
    active_stories,
    articles_page,
    explore_featured,
    explore_feed,
    following_feed,
    profile_context,
    profile_posts,
    story_for_viewer,
    tag_feed,
    trending_feed,
    trending_snapshot,
    trending_tags,
)
from social.selectors.groups import (
    group_for_viewer,
    group_join_requests,
    group_members,
    group_posts,
    groups_list,
    my_groups,
)
from social.selectors.notifications import notification_state, notifications_page, unread_count
from social.selectors.paging import PAGE_SIZE, Page, attach_authors
from social.selectors.people import follow_list, person_for_viewer
from social.selectors.posts import (
    comment_for_viewer,
    decorate_posts,
    liked_posts,
    post_comments,
    post_for_viewer,
    post_likers,
    post_page,
    save_collections,
    saved_posts,
)
from social.selectors.privacy import (
    FOLLOWING_CACHE_SECONDS,
    Relationship,
    active_member,
    allowed_visibilities,
    blocked_user_ids,
    blocks_forget,
    can_view_post,
    can_view_story,
    close_friend_of_ids,
    following_ids,
    following_ids_forget,
    has_blocked,
    is_blocked_between,
    is_following,
    is_shown_comment,
    relationship,
)
from social.selectors.stories import close_friend_candidates, close_friends, story_viewers

__all__ = [
    "FOLLOWING_CACHE_SECONDS",
    "FOLLOWING_PROBE_HOURS",
    "FOLLOWING_WINDOW_CAP",
    "PAGE_SIZE",
    "Page",
    "Relationship",
    "TRENDING_PERIODS",
    "TRENDING_SNAPSHOT",
    "TRENDING_TTL",
    "active_member",
    "active_stories",
    "allowed_visibilities",
    "articles_page",
    "attach_authors",
    "blocked_user_ids",
    "blocks_forget",
    "can_view_post",
    "can_view_story",
    "close_friend_candidates",
    "close_friend_of_ids",
    "close_friends",
    "comment_for_viewer",
    "dashboard",
    "decorate_posts",
    "explore_feed",
    "FEATURED_LIMIT",
    "Featured",
    "explore_featured",
    "follow_list",
    "following_feed",
    "following_ids",
    "following_ids_forget",
    "group_for_viewer",
    "group_join_requests",
    "group_members",
    "group_posts",
    "groups_list",
    "has_blocked",
    "is_blocked_between",
    "is_following",
    "is_shown_comment",
    "liked_posts",
    "my_groups",
    "notifications_page",
    "parse_object_id",
    "person_for_viewer",
    "post_comments",
    "post_for_viewer",
    "post_likers",
    "post_page",
    "profile_context",
    "profile_posts",
    "relationship",
    "save_collections",
    "saved_posts",
    "story_for_viewer",
    "story_viewers",
    "tag_feed",
    "trending_feed",
    "trending_snapshot",
    "trending_tags",
    "unread_count",
    "notification_state",
]
