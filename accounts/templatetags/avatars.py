"""A person's avatar, the same way on every page: ``{% avatar person size=32 class="nav-avatar" %}``.

Their uploaded picture (the WebP variants, ``{% picture %}``); else the picture Google gave at
sign-in (seed 000 ``picture_url``), shown from Google only when it is https on a host the
Content-Security-Policy allows (``AVATAR_REMOTE_HOSTS``), and sent without a referrer so
Google does not learn which page showed it; else the person's initials.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.utils.html import format_html

from modelsnapper.templatetags.pictures import picture

register = template.Library()


def remote_picture(person) -> str:
    """The Google picture's address if a page may show it, else ""."""
    address = (getattr(person, "picture_url", "") or "").strip()
    parts = urlsplit(address)
    if parts.scheme != "https" or parts.hostname not in settings.AVATAR_REMOTE_HOSTS:
        return ""
    return address


def initials(person) -> str:
    """Up to two letters: the first of the first two words of the name (one for a username)."""
    words = str(getattr(person, "display_name", "") or "").split()
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.simple_tag
def avatar(person, size: int = 40, sizes: str = "", alt: str = "", loading: str = "lazy", **attrs) -> str:
    """``<img>`` or, with no picture, a ``<span>`` of initials; ``class`` adds to ``avatar``."""
    css = " ".join(filter(None, ["avatar", attrs.pop("class", "")]))
    uploaded = picture(
        person,
        role="avatar",
        sizes=sizes or f"{size}px",
        alt=alt,
        loading=loading,
        width=size,
        height=size,
        **{"class": css},
    )
    if uploaded:
        return uploaded
    remote = remote_picture(person)
    if remote:
        return format_html(
            '<img src="{}" alt="{}" class="{}" width="{}" height="{}" loading="{}" decoding="async" '
            'referrerpolicy="no-referrer">',
            remote,
            alt,
            css,
            size,
            size,
            loading,
        )
    # The name is written beside every avatar: the letters are decoration.
    return format_html('<span class="{} avatar-initial" aria-hidden="true">{}</span>', css, initials(person))
