"""Usernames: the one rule for what a username may be, and the skeleton look-alikes share.

The rule (seed 003): 3 to 30 characters, letters (any script), digits, ``_`` and ``.``.
``validate_username`` is the model field's validator, so the profile form, allauth's
sign-up, a name allauth makes up at Google sign-in and the admin all apply it; usernames
stored before the rule existed are left as they are until their owner changes them.

Look-alikes: the skeleton two names share when a reader could mistake one for the other.

``аdmin`` (Cyrillic а), ``ADMIN``, ``admіn`` (Ukrainian і), ``ａｄｍｉｎ`` (full width) and
``adm1n``-style digit swaps all fold to one skeleton; ``User.username_skeleton`` stores it
under a unique index, so only one of them can exist. This is a small, explicit subset of
Unicode's confusables (UTS #39): the Cyrillic and Greek letters drawn like Latin ones, and
the digits drawn like letters. It runs offline and never changes without a data migration
(stored skeletons must stay comparable with new ones).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 30
USERNAME_RULE = _("Use 3 to 30 characters: letters, digits, underscores (_) and dots (.) only.")
# \w is Unicode-aware: letters of any script, digits and "_" (the look-alike skeleton below is
# what keeps a Cyrillic "аdmin" from passing for "admin").
_USERNAME_PATTERN = re.compile(rf"[\w.]{{{USERNAME_MIN_LENGTH},{USERNAME_MAX_LENGTH}}}")
# What allauth strips from a name or email before it makes a username up from it (Google
# sign-in): everything the rule does not allow, so the made-up name passes.
USERNAME_DISALLOWED = r"[^\w\s.]"


@deconstructible
class UsernameValidator:
    """The model field's validator (deconstructible so migrations can name it)."""

    message = USERNAME_RULE
    code = "invalid_username"

    def __call__(self, value: str) -> None:
        if not _USERNAME_PATTERN.fullmatch(value or ""):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UsernameValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_username = UsernameValidator()

# Applied before case folding, so each case maps to the Latin letter it is drawn like
# (Greek Η looks like H, its lower case η like n).
# fmt: off
_CONFUSABLES = {
    # Cyrillic capitals
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "l",
    # Cyrillic small letters
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k",
    "м": "m", "о": "o", "п": "n", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "ү": "y",
    "х": "x", "ԝ": "w", "ӏ": "l", "ь": "b",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Greek small letters
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
    # Latin letters drawn like others
    "ı": "i", "ȷ": "j", "ɡ": "g",
}
# fmt: on
# Applied after case folding: digits and letters drawn alike in most fonts. Capital I and
# small l are the same stroke in the site's sans-serif font, and case folding has already
# turned I into i, so i folds to l as well ("ali" and "all" then count as alike: a rare
# refusal is cheaper than an impersonation).
_FOLDED = {"0": "o", "1": "l", "i": "l"}

_BEFORE_CASEFOLD = str.maketrans(_CONFUSABLES)
_AFTER_CASEFOLD = str.maketrans(_FOLDED)


def username_skeleton(username: str) -> str:
    """The form two usernames share when they look alike (compatibility forms, accents, case, scripts)."""
    decomposed = unicodedata.normalize("NFKD", username)
    # Accents and other combining marks are dropped: "admín" and "admin" read alike.
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = bare.translate(_BEFORE_CASEFOLD).casefold()
    return unicodedata.normalize("NFKC", folded).translate(_AFTER_CASEFOLD)
