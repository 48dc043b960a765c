"""Fill a gettext catalog's empty (or fuzzy) translations from Python dictionaries.

    .venv/bin/python scripts/po_fill.py locale/es/LC_MESSAGES/django.po TRANSLATIONS.py [...]

Each TRANSLATIONS.py defines ``T = {msgid: msgstr}``; a plural entry maps its singular msgid to
``[singular, plural]``, and an entry with a context is keyed ``"context\\x04msgid"`` (gettext's own
key). Entries that already have a translation keep it, unless they are fuzzy (msgmerge's guesses
from a similar string), which are replaced and lose the flag. The header gets the Spanish-style
two plural forms and loses its fuzzy flag, so msgfmt compiles it. Prints what is still missing
and exits 1 if anything is, so ``makemessages; po_fill; compilemessages`` under one lock leaves
either a complete catalog or a clear list of what to translate.

Run it under the same lock as makemessages (``flock /tmp/po.lock -c '...'``): several people
regenerate this catalog.
"""

from __future__ import annotations

import ast
import re
import runpy
import sys
from pathlib import Path

HEADER_FIELDS = {
    "Project-Id-Version": "ModelSnapper",
    "Language-Team": "Spanish",
    "Language": "es",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}
KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$")


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def parse(lines: list[str]) -> dict[str, str]:
    """The block's keywords and their (joined, unescaped) values."""
    fields: dict[str, str] = {}
    current = None
    for line in lines:
        match = KEYWORD.match(line)
        if match:
            current = match.group(1)
            fields[current] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and current:
            fields[current] += ast.literal_eval(line)
    return fields


def fill_header(lines: list[str], fields: dict[str, str]) -> list[str]:
    header = fields["msgstr"]
    for name, value in HEADER_FIELDS.items():
        header = re.sub(rf"^{name}:.*$", f"{name}: {value}", header, flags=re.M)
    comments = [line for line in lines if line.startswith("#") and line != "#, fuzzy"]
    body = [f"msgid {quote('')}", f"msgstr {quote('')}"]
    body += [quote(part) for part in header.splitlines(keepends=True)]
    return comments + body


def fill_block(lines: list[str], translations: dict, missing: list[str]) -> list[str]:
    if any(line.startswith("#~") for line in lines):
        return lines  # obsolete entries are left to makemessages
    fields = parse(lines)
    if "msgid" not in fields:
        return lines
    if fields["msgid"] == "":
        return fill_header(lines, fields)
    key = fields["msgid"] if "msgctxt" not in fields else f"{fields['msgctxt']}\x04{fields['msgid']}"
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
    plural = "msgid_plural" in fields
    current = [value for name, value in fields.items() if name.startswith("msgstr")]
    if all(current) and not fuzzy:
        return lines
    if key not in translations:
        missing.append(key)
        return lines
    text = translations[key]
    if plural and not isinstance(text, list):
        raise SystemExit(f"{key!r} is a plural entry: give [singular, plural]")
    if not plural and isinstance(text, list):
        raise SystemExit(f"{key!r} is not a plural entry: give one string")
    comments = []
    for line in lines:
        if line.startswith("#|"):
            continue  # msgmerge's note of the previous msgid, meaningless once translated
        if line.startswith("#,"):
            rest = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
            if rest:
                comments.append("#, " + ", ".join(rest))
        elif line.startswith("#"):
            comments.append(line)
    body = _without_msgstr(lines)
    if plural:
        strings = [f"msgstr[0] {quote(text[0])}", f"msgstr[1] {quote(text[1])}"]
    else:
        strings = [f"msgstr {quote(text)}"]
    return comments + body + strings


def _without_msgstr(lines: list[str]) -> list[str]:
    """The msgctxt/msgid/msgid_plural lines (with their continuations), nothing else."""
    out, keep = [], False
    for line in lines:
        match = KEYWORD.match(line)
        if match:
            keep = not match.group(1).startswith("msgstr")
            if keep:
                out.append(line)
        elif line.startswith('"') and keep:
            out.append(line)
    return out


def main(po_path: str, *translation_files: str) -> int:
    translations: dict = {}
    for path in translation_files:
        translations.update(runpy.run_path(path)["T"])
    path = Path(po_path)
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    missing: list[str] = []
    filled = ["\n".join(fill_block(block.strip("\n").split("\n"), translations, missing)) for block in blocks]
    path.write_text("\n\n".join(block for block in filled if block.strip()) + "\n", encoding="utf-8")
    for key in missing:
        print(f"untranslated: {key!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
