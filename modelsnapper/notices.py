"""Queue an in-app notice from any app, after its transaction commits.

Generation and billing tell people things (a job ended, coins arrived) without importing the
social app that stores notices: they name its task, ``social.tasks.notify``, which stores the
notice once per ``key`` (a unique index), so a repeated end or a retried request notifies once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from modelsnapper.queue import enqueue
from modelsnapper.sentences import Sentence, written

logger = logging.getLogger(__name__)


def notify_after_commit(
    *, recipient_id: Any, kind: str, text: str | Sentence, url: str, key: str, actor_id: Any = None
) -> None:
    """Send the notice when the surrounding transaction commits (at once outside one); dropped
    with a rollback. A broker outage is logged: the change that caused the notice stands.

    ``text`` as a Sentence is stored in English and shown in the reader's language."""
    english, sentence = written(text)

    def send() -> None:
        try:
            enqueue(
                "social.tasks.notify",
                str(recipient_id),
                kind,
                english,
                url,
                key,
                str(actor_id or ""),
                sentence,
            )
        except Exception:
            logger.exception("could not queue the %s notice %s", kind, key)

    transaction.on_commit(send)
