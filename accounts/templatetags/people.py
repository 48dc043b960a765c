"""How a person's name is written on every page: ``{% display_name person %}``.

One tag so the verified badge (``User.is_verified``, granted by staff) sits by the name
wherever a name is shown, with the same accessible label. ``handle=True`` writes "@username"
instead of the display name (comments, notifications, member lists).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def display_name(person, handle: bool = False) -> str:
    if person is None:
        return ""
    name = f"@{person.username}" if handle else person.display_name
    if not getattr(person, "is_verified", False):
        return format_html("{}", name)
    label = gettext("Verified")
    # The tick is decoration; the words are what a screen reader says, the title what a mouse shows.
    return format_html(
        '{}<span class="verified-badge" title="{}"><span aria-hidden="true">✓</span>'
        '<span class="visually-hidden"> {}</span></span>',
        name,
        label,
        label,
    )
