"""Reports and staff moderation of posts and comments."""

from __future__ import annotations

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from billing.services.boosts import boost_refund_for_post
from modelsnapper.db import run_in_transaction
from modelsnapper.sentences import Sentence
from social import selectors
from social.models import Comment, ModerationState, Notification, Post, Report
from social.services.errors import SocialError
from social.services.notifications import _post_url, notification_create
from social.services.posts import _apply_post_changes


def report_create(*, reporter, target_type: str, target_id, reason: str, details: str = "") -> Report:
    if target_type not in Report.Target.values:
        raise SocialError(_("You can report a post, a comment or a person."))
    if reason not in Report.Reason.values:
        raise SocialError(_("Choose a reason."), field="reason")
    try:
        return Report.objects.create(
            reporter=reporter,
            target_type=target_type,
            target_id=str(target_id),
            reason=reason,
            details=(details or "")[:1000],
        )
    except IntegrityError:
        raise SocialError(_("You already reported this; our moderators will look at it.")) from None


MODERATION_ACTIONS = {
    "hide": ModerationState.HIDDEN,
    "remove": ModerationState.REMOVED,
    "restore": ModerationState.OK,
}


# What the author is told, one whole sentence per thing and action (translations agree in gender).
MODERATION_NOTICES = {
    ("post", "hide"): gettext_noop("Your post was hidden by moderators."),
    ("post", "remove"): gettext_noop("Your post was removed by moderators."),
    ("post", "restore"): gettext_noop("Your post was restored by moderators."),
    ("comment", "hide"): gettext_noop("Your comment was hidden by moderators."),
    ("comment", "remove"): gettext_noop("Your comment was removed by moderators."),
    ("comment", "restore"): gettext_noop("Your comment was restored by moderators."),
}
REASON = gettext_noop("Reason: %(reason)s")


def moderation_apply(*, by, target_type: str, target_id, action: str, reason: str) -> None:
    """Hide, remove or restore a post or comment; the author is told why."""
    if not by.is_staff:
        raise SocialError(_("Only staff moderate."))
    state = MODERATION_ACTIONS[action]
    reason = (reason or "").strip()
    if action != "restore" and not reason:
        raise SocialError(_("Give the author a reason."))
    oid = selectors.parse_object_id(target_id)
    if target_type == "post":
        post = Post.objects.get(pk=oid)
        _apply_post_changes(post, {"moderation_state": state, "moderation_reason": reason})
        if state != ModerationState.OK:
            # Hidden or removed: out of explore, so a running boost is refunded (once).
            boost_refund_for_post(post_id=post.pk)
        author, url, what = post.author, _post_url(post.pk), "post"
    elif target_type == "comment":
        comment = Comment.objects.get(pk=oid)
        run_in_transaction(lambda: _comment_moderate(comment, state=state, reason=reason))
        author, url, what = comment.author, _post_url(comment.post_id), "comment"
    else:
        raise SocialError(_("Only posts and comments can be hidden or removed here."))
    told = Sentence(
        MODERATION_NOTICES[what, action], then=Sentence(REASON, {"reason": reason}) if reason else None
    )
    notification_create(
        recipient=author,
        kind=Notification.Kind.MODERATION,
        target_type=what,
        target_id=oid,
        text=told,
        url=url,
    )


def _comment_moderate(comment: Comment, *, state: str, reason: str) -> None:
    """Set a comment's moderation state; comments_count follows in the same transaction.

    The counter follows the write that changed "shown" (checked in its filter), so a racing
    delete or second moderator cannot move comments_count twice, and a failure on the count
    leaves the comment as it was, never hidden but still counted.
    """
    live = Comment.objects.filter(pk=comment.pk, deleted_at=None)
    change = {"moderation_state": state, "moderation_reason": reason}
    if state != ModerationState.OK and live.filter(moderation_state=ModerationState.OK).update(**change):
        Post.objects.filter(pk=comment.post_id).update(
            comments_count=F("comments_count") - 1, hot=F("hot") - 30
        )
    elif state == ModerationState.OK and live.exclude(moderation_state=ModerationState.OK).update(**change):
        Post.objects.filter(pk=comment.post_id).update(
            comments_count=F("comments_count") + 1, hot=F("hot") + 30
        )
    else:
        Comment.objects.filter(pk=comment.pk).update(**change)


def report_resolve(*, by, report: Report, action: str, reason: str = "") -> None:
    """Staff queue: act on the reported thing (hide/remove/restore) or dismiss the report."""
    if action == "dismiss":
        status = Report.Status.DISMISSED
    else:
        moderation_apply(
            by=by,
            target_type=report.target_type,
            target_id=report.target_id,
            action=action,
            reason=reason or report.get_reason_display(),
        )
        status = Report.Status.ACTIONED
    Report.objects.filter(pk=report.pk).update(
        status=status, resolution=reason or action, handled_by=by, handled_at=timezone.now()
    )
