"""Find text in a template that a Spanish reader would still see in English.

Template text is translated when it sits inside ``{% translate %}`` or ``{% blocktranslate %}``;
everything else a person reads (text between tags and the ``alt``, ``title``, ``placeholder``
and ``aria-label`` attributes) is a miss. Scripts, styles, comments and template variables are
not prose, and neither are the brand and a few symbols.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.template.base import Lexer, TokenType

READABLE_ATTRIBUTES = re.compile(
    r"""\b(?:alt|title|placeholder|aria-label|aria-description|data-confirm)\s*=\s*(["'])(.*?)\1""",
    re.S,
)
NOT_PROSE_ELEMENTS = re.compile(r"<(script|style|svg)\b.*?</\1\s*>", re.S | re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&#?\w+;")
# What reads the same in Spanish: the product's name and units.
SAME_IN_SPANISH = re.compile(
    r"\bModelSnapper\b|\bC2PA\b|\bPNG\b|\bJPEG\b|\bWebP\b|\bPDF\b|\bHD\b|\bpx\b|\bOK\b"
)
WORD = re.compile(r"[A-Za-z]{2,}")
# A template tag or variable stands in for text a translator never sees; it must not join
# the words around it, nor break the HTML element it sits in.
MARK = "\x00"
OPENS = {"blocktranslate", "blocktrans", "comment"}
CLOSES = {"endblocktranslate", "endblocktrans", "endcomment"}


def _prose(text: str) -> list[str]:
    """The readable words left in ``text`` (template tags already replaced by a neutral mark)."""
    text = NOT_PROSE_ELEMENTS.sub(" ", HTML_COMMENT.sub(" ", text))
    found = [value for _, value in READABLE_ATTRIBUTES.findall(text)]
    found += TAG.sub("\n", text).split("\n")
    misses = []
    for piece in found:
        piece = SAME_IN_SPANISH.sub(" ", ENTITY.sub(" ", piece.replace(MARK, " "))).strip()
        if WORD.search(piece):
            misses.append(" ".join(piece.split()))
    return misses


def untranslated_text(source: str) -> list[str]:
    """Every piece of prose in ``source`` that no translate tag covers."""
    pieces: list[str] = []
    inside = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in OPENS:
                inside += 1
            elif name in CLOSES:
                inside -= 1
            pieces.append(MARK)
        elif token.token_type == TokenType.VAR:
            pieces.append(MARK)
        elif token.token_type == TokenType.TEXT:
            pieces.append(MARK if inside else token.contents)
    return _prose("".join(pieces))


def untranslated_templates(root: Path, skip: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Template path (relative to ``root``) → the prose in it nobody translated."""
    report = {}
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name.startswith(skip):
            continue
        misses = untranslated_text(path.read_text())
        if misses:
            report[name] = misses
    return report
