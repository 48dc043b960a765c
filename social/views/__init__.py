"""Thin views: load through a privacy-checking selector, validate a form, call one service.

A post, comment, story or group the viewer may not see is a 404, exactly like a missing one.
HTMX requests for "load more" get only the list items; like/follow/save toggles get the button.

One module per area (``feeds``, ``posts``, ``groups``...); ``social/urls.py`` reaches them through
this package, which re-exports every view.
"""

from social.views.articles import article_detail, articles, report
from social.views.comments import comment_create, comment_delete, comment_edit, comment_like
from social.views.feeds import explore, following, liked, tag_detail, tags, trending
from social.views.groups import (
    group_approve,
    group_create,
    group_deactivate,
    group_detail,
    group_edit,
    group_invite,
    group_join,
    group_leave,
    group_members,
    group_post,
    group_remove,
    group_role,
    groups,
)
from social.views.notifications import (
    notification_badge,
    notification_read,
    notification_read_all,
    notification_settings,
    notifications,
)
from social.views.people import block_toggle, dashboard, follow_toggle, people, profile_posts, saved
from social.views.posts import (
    post_create,
    post_delete,
    post_detail,
    post_edit,
    post_like,
    post_likers,
    post_media,
    post_publish_generation,
    post_save,
    post_share,
    post_variant,
)
from social.views.saves import collection_delete, collection_edit, save_edit
from social.views.stories import (
    close_friend_toggle,
    close_friends,
    stories,
    story_create,
    story_delete,
    story_detail,
    story_media,
    story_variant,
)

__all__ = [
    "article_detail",
    "articles",
    "block_toggle",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_like",
    "dashboard",
    "explore",
    "follow_toggle",
    "following",
    "group_approve",
    "group_create",
    "group_deactivate",
    "group_edit",
    "group_detail",
    "group_invite",
    "group_join",
    "group_leave",
    "group_members",
    "group_post",
    "group_remove",
    "group_role",
    "groups",
    "liked",
    "notification_badge",
    "notification_read",
    "notification_read_all",
    "notification_settings",
    "notifications",
    "people",
    "post_create",
    "post_delete",
    "post_detail",
    "post_edit",
    "post_like",
    "post_likers",
    "post_media",
    "post_publish_generation",
    "post_save",
    "post_share",
    "post_variant",
    "profile_posts",
    "report",
    "saved",
    "save_edit",
    "collection_edit",
    "collection_delete",
    "stories",
    "story_create",
    "story_delete",
    "story_detail",
    "close_friends",
    "close_friend_toggle",
    "story_media",
    "story_variant",
    "tag_detail",
    "tags",
    "trending",
]
