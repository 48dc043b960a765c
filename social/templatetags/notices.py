"""``{% load notices %}``: a notification's sentence in the reader's language (social.notification_text)."""

from django import template

from social.notification_text import notification_shown_text

register = template.Library()


@register.filter
def shown_text(notification) -> str:
    """``{{ n|shown_text }}``: the stored text, or its fixed sentence in the active language."""
    return notification_shown_text(notification)
