"""Comments and replies: create, edit, soft delete (the post's count follows shown comments).

A comment (or its deletion) and the counts it moves — the post's, its parent's replies — are
one transaction, so a database failure between them leaves neither (as for likes and saves);
notifications and the group's activity are written after it commits."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from modelsnapper.db import run_in_transaction
from modelsnapper.sentences import Sentence
from social import selectors
from social.models import COMMENT_MAX, MAX_COMMENT_DEPTH, Comment, ModerationState, Notification, Post
from social.notification_text import COMMENTED, REPLIED
from social.services.counters import _dec
from social.services.errors import SocialError
from social.services.group_activity import group_activity_record
from social.services.notifications import _notify_mentions, _post_url, notification_create
from social.services.text import blocklist_check


def _too_long() -> str:
    """The one refusal of a comment over COMMENT_MAX, in the reader's language."""
    return _("Comments are limited to %(n)s characters.") % {
        "n": number_format(COMMENT_MAX, force_grouping=True)
    }


def comment_create(*, author, post: Post, text: str, parent: Comment | None = None) -> Comment:
    text = (text or "").strip()
    if not text:
        raise SocialError(_("Write a comment first."), field="text")
    if len(text) > COMMENT_MAX:
        raise SocialError(_too_long(), field="text")
    if not selectors.can_view_post(author, post):
        raise SocialError(_("You can't comment on this post."))
    if author.pk != post.author_id and selectors.is_blocked_between(author, post.author):
        raise SocialError(_("You can't comment on this post."))
    blocklist_check(text, field="text")
    depth = 1
    root_id = None
    if parent is not None:
        if parent.post_id != post.pk or not parent.is_shown:
            raise SocialError(_("That comment is no longer available."))
        depth = parent.depth + 1
        if depth > MAX_COMMENT_DEPTH:
            raise SocialError(
                _("Replies can be nested at most %(n)s levels deep; reply higher up the thread.")
                % {"n": number_format(MAX_COMMENT_DEPTH)}
            )
        root_id = parent.root_id or parent.pk

    def write() -> Comment:
        comment = Comment.objects.create(
            post=post, author=author, parent=parent, root_id=root_id, depth=depth, text=text
        )
        Post.objects.filter(pk=post.pk).update(comments_count=F("comments_count") + 1, hot=F("hot") + 30)
        if parent is not None:
            Comment.objects.filter(pk=parent.pk).update(replies_count=F("replies_count") + 1)
        return comment

    comment = run_in_transaction(write)
    # After the commit: the group's activity is no counter of the comment (and its first-time
    # insert may meet a racing one's duplicate key, which would abort a transaction).
    if post.group_id:
        group_activity_record(group_id=post.group_id, user_id=author.pk)
    notified = {author.pk}
    url = _post_url(post.pk) + f"#comment-{comment.pk}"
    if parent is not None and parent.author_id not in notified:
        notification_create(
            recipient=parent.author,
            kind=Notification.Kind.REPLY,
            actor=author,
            target_type="post",
            target_id=post.pk,
            text=Sentence(REPLIED, {"name": author.username}),
            url=url,
        )
        notified.add(parent.author_id)
    if post.author_id not in notified:
        notification_create(
            recipient=post.author,
            kind=Notification.Kind.COMMENT,
            actor=author,
            target_type="post",
            target_id=post.pk,
            text=Sentence(COMMENTED, {"name": author.username}),
            url=url,
        )
        notified.add(post.author_id)
    _notify_mentions(actor=author, text=text, target_type="post", target_id=post.pk, url=url, skip=notified)
    return comment


def comment_edit(*, comment: Comment, editor, text: str) -> Comment:
    if editor.pk != comment.author_id:
        raise SocialError(_("Only the author can edit this comment."))
    if not comment.is_shown:
        raise SocialError(_("This comment is no longer available."))
    text = (text or "").strip()
    if not text:
        raise SocialError(_("A comment can't be empty."), field="text")
    if len(text) > COMMENT_MAX:
        raise SocialError(_too_long(), field="text")
    blocklist_check(text, field="text")
    now = timezone.now()
    Comment.objects.filter(pk=comment.pk).update(text=text, edited_at=now)
    comment.text, comment.edited_at = text, now
    return comment


def comment_delete(*, comment: Comment, by) -> None:
    """Soft delete by its author, the post's author or staff; replies stay, marked as a deleted parent."""
    if by.pk not in (comment.author_id, comment.post.author_id) and not by.is_staff:
        raise SocialError(_("You can't delete this comment."))
    now = timezone.now()

    def write() -> None:
        # A comment moderators hid already left the post's count: only deleting a shown one takes
        # it off. The state is checked in the write itself, so a racing hide cannot count it twice.
        if Comment.objects.filter(pk=comment.pk, deleted_at=None, moderation_state=ModerationState.OK).update(
            deleted_at=now
        ):
            Post.objects.filter(pk=comment.post_id).update(
                comments_count=F("comments_count") - 1, hot=F("hot") - 30
            )
        elif Comment.objects.filter(pk=comment.pk, deleted_at=None).update(deleted_at=now) != 1:
            return
        if comment.parent_id:
            _dec(Comment, comment.parent_id, "replies_count")

    run_in_transaction(write)
