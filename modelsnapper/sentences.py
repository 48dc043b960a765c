"""Sentences the system writes for people to read later, shown in the reader's language.

A notice, a job's timeline line or a ledger line is written once, outside the reader's request,
and read later by someone whose language may be another (or may change). So the writer stores
the English sentence as a msgid (marked with ``gettext_noop``, placeholders ``%(name)s``) and its
parameters as plain values, next to the rendered English text that e-mails, search and old
readers keep using; the page renders ``gettext(msgid) % params`` in the active language.

Parameters are plain values, formatted when shown so numbers and money follow the reader's
locale:

- an ``int`` is a count or a number of credits/coins: grouped per locale (1,500 / 1.500);
- ``<name>_cents`` is an amount of money in integer cents, shown as ``%(name)s`` through the
  billing ``money`` helper, in the currency of the ``currency`` parameter (USD by default);
- ``<name>_date`` is a day as ``YYYY-MM-DD``, shown as ``%(name)s`` in the locale's date format;
- ``<name>_msgid`` is itself a fixed English sentence or word (a refund reason, a badge's name),
  shown as ``%(name)s`` translated (``"context\x04word"`` for one marked with ``pgettext``);
- anything else (a username, a prompt, a Stripe id) is shown as written.

A sentence whose wording depends on a number stores its plural msgid too, and the ``count``
parameter picks the form. Both forms are marked with ``gettext_noop`` (makemessages has no
plural no-op marker), so each is its own catalog entry and the form is picked by the English
rule (one / not one), which is also Spanish's: a language with more plural forms would need
``ngettext`` entries instead. A sentence may be followed by another (``then``: a
job's end, then its refund), each translated whole. Rows written before this (no msgid) are
shown as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

from modelsnapper.money import money

CENTS = "_cents"
MSGID = "_msgid"
DATE = "_date"
CONTEXT = "\x04"  # how gettext catalogs join a pgettext context to its msgid


def translated(msgid: str) -> str:
    """``gettext`` of a stored msgid, which may carry a pgettext context (``"ctx\x04Word"``)."""
    if not msgid:
        return ""  # gettext("") is the catalog's header
    text = gettext(msgid)
    return text.split(CONTEXT, 1)[1] if CONTEXT in text else text


@dataclass(frozen=True)
class Sentence:
    """An English sentence to store and show translated: ``Sentence(gettext_noop("…"), {...})``."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plural: str = ""
    then: Sentence | None = None

    def stored(self) -> dict[str, Any]:
        """The value of a model's ``sentence`` JSON field."""
        data: dict[str, Any] = {"msgid": self.msgid, "params": dict(self.params)}
        if self.plural:
            data["plural"] = self.plural
        if self.then is not None:
            data["then"] = self.then.stored()
        return data

    def english(self) -> str:
        """The sentence as the stored ``text``/``description`` (e-mails, search, old readers)."""
        with translation.override(settings.LANGUAGE_CODE):
            return render(self.stored())


def _shown_params(params: Mapping[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in params.items():
        if key.endswith(CENTS):
            shown[key[: -len(CENTS)]] = money(value, params.get("currency") or "usd")
        elif key.endswith(DATE):
            shown[key[: -len(DATE)]] = date_format(date.fromisoformat(value), "DATE_FORMAT")
        elif key.endswith(MSGID):
            shown[key[: -len(MSGID)]] = translated(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            shown[key] = number_format(value, use_l10n=True, force_grouping=True)
        else:
            shown[key] = value
    return shown


def render(stored: Mapping[str, Any]) -> str:
    """A stored sentence in the active language."""
    params = stored.get("params") or {}
    plural = stored.get("plural")
    msgid = stored["msgid"]
    text = translated(plural if plural and int(params.get("count", 0)) != 1 else msgid)
    text = text % _shown_params(params)
    then = stored.get("then")
    return f"{text} {render(then)}" if then else text


def shown(stored: Mapping[str, Any] | None, text: str) -> str:
    """What a row says in the active language: its sentence when it has one, else ``text``.

    A sentence the catalog cannot fill (a placeholder a translation dropped or misspelled) falls
    back to the stored English rather than failing the page."""
    if not stored or not stored.get("msgid"):
        return text
    try:
        return render(stored)
    except (KeyError, TypeError, ValueError):
        return text


def written(value: str | Sentence) -> tuple[str, dict[str, Any] | None]:
    """``(text, sentence)`` for a writer given either a plain text or a Sentence."""
    if isinstance(value, Sentence):
        return value.english(), value.stored()
    return value, None
