"""Every social write. Keyword-only, ``<thing>_<action>``.

Counter rule: the document that proves an action (a Like, a Follow, a Save...) is
written first under a unique index; only when that insert (or the delete that
removed exactly one document) succeeded is the counter changed, with an atomic
``$inc`` (``F()`` update). Duplicates raise IntegrityError and change nothing, so
counters stay exact under any number of concurrent clicks. Likes, saves, comments
and follows also write that document and its counters in one transaction
(``run_in_transaction``), so a database failure between the two leaves neither; for
the other counters, if a process dies between the two steps, ``manage.py
social_recount`` puts them back to the true counts.

Post documents are never saved whole after creation (that would overwrite
counters other requests are incrementing): updates name their fields.

One module per concern (``posts``, ``likes``, ``groups``...); this package re-exports
every public name, so ``from social import services; services.post_create(...)`` and
``from social.services import X`` keep working. Code inside the package imports from
the defining module, so a test seam patches that module (e.g. ``social.services.notifications``).
"""

from social.models import trend_weight  # tests compute expected trending scores with it
from social.services.account_deletion import user_content_hide
from social.services.comments import comment_create, comment_delete, comment_edit
from social.services.counters import tag_usage_add, user_stats_add
from social.services.errors import SocialError
from social.services.follows import (
    block_create,
    block_delete,
    follow_create,
    follow_delete,
    follow_set_notifications,
    follow_toggle,
)
from social.services.groups import (
    GROUP_SLUG_ATTEMPTS,
    group_approve,
    group_create,
    group_deactivate,
    group_invite,
    group_join,
    group_leave,
    group_remove_member,
    group_set_role,
    group_update,
)
from social.services.likes import like_add, like_remove, like_toggle
from social.services.moderation import MODERATION_ACTIONS, moderation_apply, report_create, report_resolve
from social.services.notifications import (
    EMAIL_LEASE,
    EmailDeliveryError,
    absolute_url,
    notification_create,
    notification_email_content,
    notification_email_give_up,
    notification_mark_all_read,
    notification_mark_read,
    notification_send_email,
    notification_set_email_optouts,
    notification_wants_email,
)
from social.services.posts import (
    EXTENSION_TYPES,
    IMAGE_TYPES,
    VIDEO_TYPES,
    post_archive,
    post_create,
    post_delete,
    post_publish,
    post_publish_generation,
    post_record_view,
    post_restore,
    post_set_featured,
    post_share,
    post_update,
    tag_set_featured,
    visitor_fingerprint,
)
from social.services.repair import counters_recount
from social.services.saves import (
    collection_delete,
    collection_get_or_create,
    collection_rename,
    save_create,
    save_delete,
    save_update,
)
from social.services.stories import (
    COLOR_RE,
    close_friend_add,
    close_friend_remove,
    story_create,
    story_delete,
    story_lifetime,
    story_media_purge,
    story_record_view,
)
from social.services.text import (
    HASHTAG_RE,
    MENTION_RE,
    TAG_RE,
    blocklist_check,
    blocklist_path,
    hashtags_in,
    mentions_in,
    normalise_tags,
)

__all__ = [
    "COLOR_RE",
    "EMAIL_LEASE",
    "EXTENSION_TYPES",
    "EmailDeliveryError",
    "GROUP_SLUG_ATTEMPTS",
    "HASHTAG_RE",
    "IMAGE_TYPES",
    "MENTION_RE",
    "MODERATION_ACTIONS",
    "SocialError",
    "TAG_RE",
    "VIDEO_TYPES",
    "absolute_url",
    "block_create",
    "block_delete",
    "blocklist_check",
    "blocklist_path",
    "close_friend_add",
    "close_friend_remove",
    "collection_delete",
    "collection_get_or_create",
    "collection_rename",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "counters_recount",
    "follow_create",
    "follow_delete",
    "follow_set_notifications",
    "follow_toggle",
    "group_approve",
    "group_create",
    "group_deactivate",
    "group_invite",
    "group_join",
    "group_leave",
    "group_remove_member",
    "group_set_role",
    "group_update",
    "hashtags_in",
    "like_add",
    "like_remove",
    "like_toggle",
    "mentions_in",
    "moderation_apply",
    "normalise_tags",
    "notification_create",
    "notification_email_content",
    "notification_email_give_up",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_send_email",
    "notification_set_email_optouts",
    "notification_wants_email",
    "post_create",
    "post_archive",
    "post_delete",
    "post_publish",
    "post_restore",
    "post_publish_generation",
    "post_record_view",
    "post_set_featured",
    "post_share",
    "post_update",
    "report_create",
    "report_resolve",
    "save_create",
    "save_delete",
    "save_update",
    "story_create",
    "story_delete",
    "story_lifetime",
    "story_media_purge",
    "story_record_view",
    "tag_set_featured",
    "tag_usage_add",
    "trend_weight",
    "user_content_hide",
    "user_stats_add",
    "visitor_fingerprint",
]
