"""Readers of a language, for the tests that check a page or a refusal in Spanish (issue #15.2).

A reader's language is their ``preferences.language`` (the middleware activates it for each of
their requests); a service called outside a request speaks the language active around it
(``translation.override("es")``). The helpers here set up those readers once for every app's
tests; ``pytest_plugins`` in the root conftest makes the fixtures available everywhere.

- ``read_in(user, "es")``: the user reads Spanish from their next request on;
- ``spanish_reader``: an account that reads Spanish;
- ``readers``: the same kind of account twice, ``(english, spanish)``;
- ``page_for(client, user, url)``: the page as that user sees it (HTML unescaped);
  ``page_after_post(client, user, url, data)``: the page they land on after a form post;
- ``pages(client, url, english, spanish)`` / ``pages_of(client, readers, (url_en, url_es))``: what
  each of two readers is shown; ``pages_in_both(client, user, url)``: one user in each language;
- ``spanish_catalog`` and ``assert_translated``: every text a set of sources marks that the English page
  shows whole is shown whole, in Spanish, on the Spanish page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import pytest

from accounts.models import Preferences
from modelsnapper.testing.factories import UserFactory

SPANISH = "es"
ENGLISH = "en"


def read_in(user, language: str):
    """``user`` reads ``language`` from their next request on (other preferences kept); returns the user."""
    user.preferences.language = language
    user.save()
    return user


def shown_text(response) -> str:
    """A response's body as a reader sees its text (entities unescaped)."""
    return html.unescape(response.content.decode())


def page_for(client, user, url: str) -> str:
    """The page at ``url`` as ``user`` sees it."""
    client.force_login(user)
    return shown_text(client.get(url))


def pages(client, url: str, english_reader, spanish_reader) -> tuple[str, str]:
    """The page at ``url`` for an English reader and for a Spanish one."""
    return page_for(client, english_reader, url), page_for(client, spanish_reader, url)


def page_after_post(client, user, url: str, data: dict | None = None) -> str:
    """The page ``user`` lands on after posting ``data`` to ``url`` (redirects followed)."""
    client.force_login(user)
    return shown_text(client.post(url, data or {}, follow=True))


def pages_in_both(client, user, url: str) -> tuple[str, str]:
    """The page at ``url`` as ``user`` sees it reading English, then reading Spanish."""
    return page_for(client, read_in(user, ENGLISH), url), page_for(client, read_in(user, SPANISH), url)


def pages_of(client, readers: Sequence, urls: Sequence[str]) -> tuple[str, str]:
    """The page at ``urls[0]`` for the English reader and at ``urls[1]`` for the Spanish one."""
    english_reader, spanish_reader = readers
    return page_for(client, english_reader, urls[0]), page_for(client, spanish_reader, urls[1])


@pytest.fixture
def spanish_reader(db):
    """An account that reads Spanish."""
    return UserFactory(preferences=Preferences(language=SPANISH))


@pytest.fixture
def readers(db):
    """The same kind of account twice: one reads English, the other Spanish."""
    return (
        UserFactory(preferences=Preferences(language=ENGLISH)),
        UserFactory(preferences=Preferences(language=SPANISH)),
    )


@pytest.fixture(scope="module")
def spanish_catalog():
    """The committed Spanish catalog's live entries."""
    from modelsnapper.tests.test_i18n import CATALOG_DIR, read_po

    return [entry for entry in read_po(CATALOG_DIR / "django.po") if entry.msgid and not entry.obsolete]


def whole_text(text: str, page: str) -> bool:
    """``text`` is a whole text node or attribute value of ``page`` (not part of a longer one)."""
    return re.search(rf"[>\"]\s*{re.escape(text)}\s*[<\"]", page) is not None


def assert_translated(catalog, sources: re.Pattern, english: str, spanish: str, at_least: int) -> None:
    """Each marked text of ``sources`` shown whole on the English page is shown whole, in
    Spanish, on the Spanish page, and its English form is gone from it."""
    marked = [
        entry
        for entry in catalog
        if entry.msgid_plural is None
        and "%(" not in entry.msgid
        and entry.msgctxt is None
        and any(sources.match(ref) for ref in entry.references)
    ]
    shown = [entry for entry in marked if whole_text(entry.msgid, english)]
    assert len(shown) >= at_least, [entry.msgid for entry in shown]
    for entry in shown:
        assert whole_text(entry.msgstr[0], spanish), entry.msgid
        if entry.msgstr[0] != entry.msgid:
            assert not whole_text(entry.msgid, spanish), entry.msgid
