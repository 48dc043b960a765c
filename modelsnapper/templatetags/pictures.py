"""``{% picture %}`` and ``{% picture_url %}``: every stored picture on a page, one way.

    {% load pictures %}
    {% picture obj sizes="(max-width: 600px) 50vw, 256px" alt="…" class="…" loading="lazy" %}
    {% picture user role="avatar" sizes="48px" alt="…" %}     {# people and groups: avatar or cover #}
    {% picture_url obj width=512 %}                           {# one variant's URL, for href/og:image #}

``obj`` is a generation Image, a social Post (a video post shows its poster), a Story, a
User or Group (``role``), a TrainingPhoto, an AIAvatar, or a likeness reference
(``profile|likeness_references``). The ``<img>`` carries a ``srcset`` of the WebP
variants, ``sizes``, the intrinsic ``width``/``height`` (no layout shift), ``decoding="async"``
and ``loading`` (lazy unless told); ``width``/``height`` given to the tag replace the intrinsic
size (a fixed-size thumbnail). Before an object has variants it shows the original.
No query is made: variants are stored on the object (:mod:`modelsnapper.picture_sources`).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

from modelsnapper.picture_sources import likeness_references as _likeness_references
from modelsnapper.picture_sources import picture_for

register = template.Library()

# The variant ``src`` falls back to, for browsers without srcset: fits a typical grid cell.
DEFAULT_WIDTH = 512


@register.simple_tag
def picture(obj, role: str = "", sizes: str = "", alt: str = "", loading: str = "lazy", **attrs) -> str:
    """One ``<img>`` for ``obj``'s picture; nothing when it has none."""
    shown = picture_for(obj, role)
    if shown is None:
        return ""
    urls = shown.urls()
    parts: list[tuple[str, object]] = [("src", shown.url_for(DEFAULT_WIDTH) if urls else shown.original_url)]
    if urls:
        parts.append(("srcset", ", ".join(f"{url} {width}w" for width, url in urls)))
        if sizes:
            parts.append(("sizes", sizes))
    size = _display_size(shown.size, attrs.pop("width", None), attrs.pop("height", None))
    if size:
        parts += [("width", size[0]), ("height", size[1])]
    parts.append(("alt", alt))
    parts.append(("decoding", "async"))
    if loading:
        parts.append(("loading", loading))
    parts += [(key.replace("_", "-"), value) for key, value in attrs.items() if value not in (None, False)]
    return format_html("<img {}>", format_html_join(" ", '{}="{}"', parts))


def _display_size(intrinsic, width, height) -> tuple | None:
    """The intrinsic size, unless the template gives a display size (a fixed 80 px thumbnail).

    Given only a width, the height follows the picture's aspect, so the box still matches it.
    """
    if width and height:
        return int(width), int(height)
    if width and intrinsic:
        return int(width), max(1, round(int(width) * intrinsic[1] / intrinsic[0]))
    return intrinsic


@register.simple_tag
def picture_url(obj, width: int = DEFAULT_WIDTH, role: str = "") -> str:
    """The URL of ``obj``'s narrowest variant at least ``width`` wide (the original before variants)."""
    shown = picture_for(obj, role)
    return shown.url_for(int(width)) if shown is not None else ""


@register.filter
def likeness_references(profile) -> list:
    """A human model's reference images, each usable with ``{% picture %}``."""
    return _likeness_references(profile) if profile is not None else []
