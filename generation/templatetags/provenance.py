from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def content_credentials_off() -> bool:
    """Whether outputs go out unsigned (C2PA_ENABLED=false): the admin dashboard says so."""
    return not settings.C2PA_ENABLED
