"""What a notification says, in the language of the person reading it (issue #15.2).

A notice's ``text`` is stored once, when it is sent, in English. The notices whose sentence is
one of a few fixed ones (someone liked, commented, replied, followed, mentioned you, shared,
invited you to a group, posted) are written again when shown, in the reader's language: the
stored text must be exactly the English sentence for the actor's current username (followed by
the group's name or the post's words where the sentence ends with them), so a notice is never
given a sentence it did not say. Any other text (coins, jobs, consent, moderation: sentences
carrying amounts and names only they hold) stores its English msgid and parameters in
``sentence`` (modelsnapper.sentences) and is shown from it; a notice written before that is
shown as stored.

Each msgid below is the English sentence the social services store, with ``%(name)s`` for the
actor's username and ``%(rest)s`` for what follows it.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from modelsnapper.sentences import shown
from social.models import Notification

REST = "%(rest)s"
SENTENCES: dict[str, tuple[str, ...]] = {
    Notification.Kind.LIKE: (
        gettext_noop("%(name)s liked your post"),
        gettext_noop("%(name)s liked your comment"),
    ),
    Notification.Kind.COMMENT: (gettext_noop("%(name)s commented on your post"),),
    Notification.Kind.REPLY: (gettext_noop("%(name)s replied to your comment"),),
    Notification.Kind.FOLLOW: (gettext_noop("%(name)s started following you"),),
    Notification.Kind.MENTION: (gettext_noop("%(name)s mentioned you"),),
    Notification.Kind.SHARE: (gettext_noop("%(name)s shared your post"),),
    Notification.Kind.GROUP_INVITE: (gettext_noop("%(name)s invited you to %(rest)s"),),
    Notification.Kind.POST: (gettext_noop("%(name)s posted: %(rest)s"),),
}


def notification_shown_text(notification: Notification) -> str:
    """The notice's sentence in the active language when it has one or is a fixed one, else as stored."""
    if notification.sentence:
        return shown(notification.sentence, notification.text)
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
