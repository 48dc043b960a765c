"""What people type: the word blocklist, hashtags, @mentions and tag names."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from social.models import MAX_TAGS, TAG_MAX_LENGTH
from social.services.errors import SocialError

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _blocklist_pattern(path: str) -> re.Pattern | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        logger.warning("social blocklist %s not readable", path)
        return None
    words = [w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#")]
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)


def blocklist_path() -> str:
    return str(
        getattr(settings, "SOCIAL_BLOCKLIST_PATH", Path(__file__).resolve().parent.parent / "blocklist.txt")
    )


def blocklist_check(text: str, *, field: str | None = None) -> None:
    """Refuse text containing a blocked word (whole words only), naming the word."""
    pattern = _blocklist_pattern(blocklist_path())
    if not text or pattern is None:
        return
    match = pattern.search(text)
    if match:
        raise SocialError(
            _("The word “%(word)s” is not allowed. Please remove it.") % {"word": match.group(1)}, field=field
        )


HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w[\w-]{0,49})", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w@])@([\w.+-]{1,150})", re.UNICODE)
TAG_RE = re.compile(r"^\w[\w-]*$", re.UNICODE)


def hashtags_in(text: str) -> list[str]:
    return [m.lower() for m in HASHTAG_RE.findall(text or "")]


def mentions_in(text: str) -> list[str]:
    names = []
    for raw in MENTION_RE.findall(text or ""):
        name = raw.rstrip(".-+")
        if name and name not in names:
            names.append(name)
    return names


def normalise_tags(tags) -> list[str]:
    """Lowercase, no leading ``#``, unique, at most 30, each ≤ 50 word characters."""
    result: list[str] = []
    for raw in tags or []:
        tag = str(raw).strip().lstrip("#").strip().lower()
        if not tag:
            continue
        if len(tag) > TAG_MAX_LENGTH or not TAG_RE.match(tag):
            raise SocialError(
                _("“%(tag)s” is not a valid tag (letters, digits, _ and -).") % {"tag": tag[:60]},
                field="tags",
            )
        if tag not in result:
            result.append(tag)
    if len(result) > MAX_TAGS:
        raise SocialError(
            _("At most %(limit)s tags per post (you have %(count)s).")
            % {"limit": MAX_TAGS, "count": len(result)},
            field="tags",
        )
    return result
