"""``{{ row.sentence|sentence_shown:row.text }}``: a stored system sentence in the reader's language.

See ``modelsnapper.sentences``. A row without a sentence shows its stored English text, translated
when it is one of the fixed sentences marked with ``gettext_noop``.
"""

from django import template

from modelsnapper.sentences import shown, translated

register = template.Library()


@register.filter
def sentence_shown(sentence, text) -> str:
    return shown(sentence, translated(text or ""))
