"""The interface in Spanish (issue #15.2): the catalog, the compiled catalog, and who sees what.

The .po file is parsed here by a tiny reader (no polib/babel in the environment) so that the
committed catalog itself is checked: complete, no fuzzy entries, and compiled into the .mo
Django actually loads.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from django.conf import settings

from accounts.models import Preferences, User
from modelsnapper.testing.factories.accounts import UserFactory
from modelsnapper.testing.i18n import shown_text, whole_text

CATALOG_DIR = settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES"
SHELL_TEMPLATES = re.compile(r"templates/(base\.html|includes/(nav|nav_links|nav_account|footer)\.html)")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False


def read_po(path) -> list[Entry]:
    """Entries of a .po file (header included, as the entry whose msgid is empty)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish():
        nonlocal entry, started
        if started:
            entries.append(entry)
        entry, started = Entry(), False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#:"):
            entry.references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            started = True
            value = ast.literal_eval(rest)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
                entry.msgstr[target[1]] = ""
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                entry.msgstr[0] = ""
            else:
                target = (keyword, 0)
                setattr(entry, keyword, "")
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] += value
        else:
            setattr(entry, name, getattr(entry, name) + value)
    finish()
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    return [entry for entry in read_po(CATALOG_DIR / "django.po") if entry.msgid and not entry.obsolete]


def test_every_spanish_catalog_entry_is_translated_and_none_is_fuzzy(catalog):
    assert len(catalog) > 300  # the shell, accounts and billing are marked
    untranslated = [entry.msgid for entry in catalog if not all(entry.msgstr.values())]
    fuzzy = [entry.msgid for entry in catalog if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_every_placeholder_of_the_english_text(catalog):
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
    wrong = [
        entry.msgid
        for entry in catalog
        for text in entry.msgstr.values()
        if sorted(placeholder.findall(text)) != sorted(placeholder.findall(entry.msgid_plural or entry.msgid))
        and sorted(placeholder.findall(text)) != sorted(placeholder.findall(entry.msgid))
    ]
    assert wrong == []


def test_the_committed_mo_file_is_the_compiled_po_file(catalog):
    with (CATALOG_DIR / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in catalog:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(key, index)] = text
    compiled.pop("", None)  # the header
    assert compiled == expected


def test_a_visitor_whose_browser_asks_for_spanish_sees_the_site_in_spanish(client, db):
    page = shown_text(client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5"))

    assert '<html lang="es"' in page
    assert "Iniciar sesión" in page
    assert "Regístrate" in page
    assert "Sign in" not in page
    # The switcher names each language in that language, not in the page's.
    assert re.search(r'lang="en"[^>]*>English</button>', page)
    assert re.search(r'lang="es"[^>]*>Español</button>', page)


def test_a_visitor_without_a_preference_sees_english(client, db):
    page = shown_text(client.get("/", HTTP_ACCEPT_LANGUAGE="ja"))

    assert '<html lang="en"' in page
    assert "Sign in" in page


def test_a_signed_in_user_who_chose_spanish_sees_it_whatever_the_browser_asks(client, db):
    user = UserFactory(preferences=Preferences(language="es"))
    client.force_login(user)

    page = shown_text(client.get("/settings/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "Preferencias" in page
    assert "Cerrar sesión" in page
    assert "Sign out" not in page


def test_a_saved_language_that_is_no_longer_offered_falls_back_to_english(client, db):
    user = UserFactory(preferences=Preferences(language="fr"))
    client.force_login(user)

    page = shown_text(client.get("/settings/", HTTP_ACCEPT_LANGUAGE="es"))

    assert '<html lang="en"' in page
    assert "Sign out" in page


def test_switching_the_language_saves_the_preference_and_switching_back_works(client, db):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/i18n/setlang/", {"language": "es", "next": "/settings/"})

    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert User.objects.get(pk=user.pk).preferences.language == "es"
    assert "Cerrar sesión" in shown_text(client.get("/settings/"))

    client.post("/i18n/setlang/", {"language": "en", "next": "/settings/"})

    assert User.objects.get(pk=user.pk).preferences.language == "en"
    assert "Sign out" in shown_text(client.get("/settings/"))


def test_an_anonymous_visitor_switching_to_spanish_keeps_it_through_the_cookie(client, db):
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    assert "Iniciar sesión" in shown_text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))


def test_switching_to_a_language_that_is_not_offered_changes_nothing(client, db):
    user = UserFactory(preferences=Preferences(language="es"))
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    assert User.objects.get(pk=user.pk).preferences.language == "es"


def test_saving_the_preferences_form_in_spanish_shows_the_next_page_in_spanish(client, db):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/settings/preferences/", {"language": "es"}, follow=True)

    assert "Se han guardado tus preferencias." in shown_text(response)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_no_string_of_the_navigation_bar_or_footer_stays_in_english(client, db, catalog, signed_in):
    if signed_in:
        client.force_login(UserFactory(is_staff=True))
    english = shown_text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    if signed_in:
        client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    spanish = shown_text(client.get("/", HTTP_ACCEPT_LANGUAGE="es"))
    shell = [
        entry
        for entry in catalog
        if entry.msgid_plural is None
        and "%(" not in entry.msgid
        and any(SHELL_TEMPLATES.match(ref) for ref in entry.references)
    ]
    shown = [entry for entry in shell if whole_text(entry.msgid, english)]

    assert len(shown) >= (12 if signed_in else 6)
    for entry in shown:
        assert whole_text(entry.msgstr[0], spanish), entry.msgid
        if entry.msgstr[0] != entry.msgid:
            assert not whole_text(entry.msgid, spanish), entry.msgid


def test_dates_follow_the_spanish_format(client, db):
    person = UserFactory(date_joined=datetime(2024, 3, 5, 12, tzinfo=UTC))

    spanish = shown_text(client.get(f"/u/{person.username}/", HTTP_ACCEPT_LANGUAGE="es"))
    english = shown_text(client.get(f"/u/{person.username}/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "marzo de 2024" in spanish
    assert "March 2024" in english


def test_money_follows_the_spanish_number_format(db):
    from django.utils import translation

    from billing.templatetags.billing_tags import money

    with translation.override("es"):
        # Django's Spanish format groups thousands with a no-break space; the symbol follows.
        assert money(123456) == "1\u00a0234,56\u00a0$"
    with translation.override("en"):
        assert money(123456) == "$1,234.56"


def test_someone_who_signs_up_from_a_spanish_page_keeps_spanish(client, db):
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    client.post(
        "/accounts/signup/",
        {
            "email": "nueva@example.com",
            "username": "nueva",
            "password1": "una-clave-bastante-larga-42",
            "password2": "una-clave-bastante-larga-42",
        },
    )

    assert User.objects.get(username="nueva").preferences.language == "es"
