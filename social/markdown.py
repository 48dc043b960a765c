"""Markdown for staff-written articles, sanitised with nh3 so no script survives."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown as md
import nh3
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}
# Whole elements whose content is dropped too, not just the tags.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math", "template"}

# A bare http(s) address in running text; trailing punctuation ends it.
BARE_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]]")
NOT_LINKIFIED = {"a", "code", "pre"}


class _Linkify(Treeprocessor):
    """Turns bare URLs in text into links, never inside links or code."""

    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if element.tag in NOT_LINKIFIED:
            return
        children = list(element)
        element.text, made = self._split(element.text)
        for position, link in enumerate(made):
            element.insert(position, link)
        for child in children:
            self._walk(child)
            child.tail, made = self._split(child.tail)
            at = list(element).index(child) + 1
            for offset, link in enumerate(made):
                element.insert(at + offset, link)

    @staticmethod
    def _split(text: str | None) -> tuple[str | None, list[etree.Element]]:
        """The text before the first URL, and links each carrying the text after it as tail."""
        if not text or not BARE_URL.search(text):
            return text, []
        pieces = BARE_URL.split(text)
        urls = BARE_URL.findall(text)
        links = []
        for url, after in zip(urls, pieces[1:], strict=True):
            link = etree.Element("a", {"href": url})
            link.text, link.tail = url, after
            links.append(link)
        return pieces[0], links


class _LinkifyExtension(md.Extension):
    def extendMarkdown(self, markdown):
        # After the inline processor (priority 20), when links and code exist as elements.
        markdown.treeprocessors.register(_Linkify(markdown), "linkify", 15)


def render_markdown(text: str) -> str:
    html = md.markdown(
        text or "", extensions=["extra", "sane_lists", _LinkifyExtension()], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_PROTOCOLS,
        strip_comments=True,
        link_rel="nofollow noopener noreferrer",
    )
