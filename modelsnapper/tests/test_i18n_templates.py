"""Every template a person reads is marked for translation, so the Spanish interface is whole."""

from pathlib import Path

from django.conf import settings

from modelsnapper.testing.untranslated import untranslated_templates, untranslated_text

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Templates whose text is not marked yet. This list only shrinks: mark a template's text
# (and translate it in locale/es) and take it off.
STILL_IN_ENGLISH: set[str] = set()


def test_text_outside_a_translate_tag_is_found():
    source = '{% load i18n %}<h1>{% translate "Saved" %}</h1><p title="Open it">Hello {{ name }}</p>'

    assert untranslated_text(source) == ["Open it", "Hello"]


def test_text_inside_translate_tags_comments_scripts_and_tag_attributes_is_not_prose():
    source = (
        '{% load i18n %}<a href="{% url "home" %}" class="button" aria-current="page">'
        "{% blocktranslate count n=n %}{{ n }} post{% plural %}{{ n }} posts{% endblocktranslate %}</a>"
        "{% comment %}Not shown{% endcomment %}<!-- nor this --><script>let shown = false;</script>"
        '<img alt="{% translate "A cat" %}"> ModelSnapper · {{ count }}'
    )

    assert untranslated_text(source) == []


def test_every_template_outside_the_pending_list_is_translated():
    missing = untranslated_templates(TEMPLATES)

    assert {name: text for name, text in missing.items() if name not in STILL_IN_ENGLISH} == {}


def test_the_pending_list_names_only_templates_that_still_have_english_text():
    missing = untranslated_templates(TEMPLATES)

    assert sorted(STILL_IN_ENGLISH - set(missing)) == []
