"""What a notification says, in the language of the person reading it (issue #15.2).

Every notice stores its English msgid and parameters in ``sentence`` (modelsnapper.sentences)
next to its English ``text``, and is shown from the sentence. The social notices' msgids are
named here, once: the services that write them (likes, comments, follows, mentions, shares,
group invites, new posts) use these constants, and the Spanish catalog translates them. The actor
is named by the username they had when the notice was sent (``name``), so a later rename changes
nothing a notice says.

Notices written before their sentence was stored have only the English text. For those alone,
``notification_shown_text`` matches the text back to one of the fixed sentences below for the
actor's current username (followed by the group's name or the post's words where the sentence
ends with ``%(rest)s``), so a notice is never given a sentence it did not say; one whose actor
renamed themselves since, or any other text, is shown as stored.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from modelsnapper.sentences import shown
from social.models import Notification, Post

LIKED_POST = gettext_noop("%(name)s liked your post")
LIKED_COMMENT = gettext_noop("%(name)s liked your comment")
COMMENTED = gettext_noop("%(name)s commented on your post")
REPLIED = gettext_noop("%(name)s replied to your comment")
FOLLOWED = gettext_noop("%(name)s started following you")
MENTIONED = gettext_noop("%(name)s mentioned you")
SHARED = gettext_noop("%(name)s shared your post")
INVITED = gettext_noop("%(name)s invited you to %(rest)s")  # rest: the group's name
POSTED = gettext_noop("%(name)s posted: %(rest)s")  # rest: the post's first words
# A post without words is named by its category: one whole sentence each, as a translation
# may need the word's gender ("un nuevo vídeo", "una nueva imagen").
POSTED_A_NEW = {
    Post.Category.SHORT: gettext_noop("%(name)s posted a new short video"),
    Post.Category.NORMAL_VIDEO: gettext_noop("%(name)s posted a new video"),
    Post.Category.IMAGE: gettext_noop("%(name)s posted a new image"),
    Post.Category.TEXT: gettext_noop("%(name)s posted a new text"),
    Post.Category.IMAGE_TEXT: gettext_noop("%(name)s posted a new image and text"),
}

REST = "%(rest)s"
# The fixed sentences a notice written before its sentence was stored may say, by kind.
SENTENCES: dict[str, tuple[str, ...]] = {
    Notification.Kind.LIKE: (LIKED_POST, LIKED_COMMENT),
    Notification.Kind.COMMENT: (COMMENTED,),
    Notification.Kind.REPLY: (REPLIED,),
    Notification.Kind.FOLLOW: (FOLLOWED,),
    Notification.Kind.MENTION: (MENTIONED,),
    Notification.Kind.SHARE: (SHARED,),
    Notification.Kind.GROUP_INVITE: (INVITED,),
    Notification.Kind.POST: (POSTED,),
}


def notification_shown_text(notification: Notification) -> str:
    """The notice in the active language: from its stored sentence; a notice written before
    sentences were stored (no ``sentence``) from the fixed sentence its text is, else as stored."""
    if notification.sentence:
        return shown(notification.sentence, notification.text)
    return _old_notice_shown_text(notification)


def _old_notice_shown_text(notification: Notification) -> str:
    """Only for rows written before: the stored English matched back to a fixed sentence."""
    sentences = SENTENCES.get(notification.kind, ())
    text = notification.text
    actor = notification.actor if sentences else None
    if actor is None:
        return text
    for msgid in sentences:
        head, ends_with_rest, _ = msgid.partition(REST)
        english = head % {"name": actor.username}
        if not ends_with_rest and text == english:
            return gettext(msgid) % {"name": actor.username}
        if ends_with_rest and text.startswith(english) and len(text) > len(english):
            return gettext(msgid) % {"name": actor.username, "rest": text[len(english) :]}
    return text
