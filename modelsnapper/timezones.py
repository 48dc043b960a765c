"""Dates in the viewer's time zone.

The browser knows its zone; static/js/nav.js stores it in the ``tz`` cookie (an IANA name such as
``Europe/Paris``), and this middleware activates it for the request, so every ``|date`` and
``{% now %}`` renders local time. An unknown or missing zone leaves Django's default (UTC), which
pages then name explicitly.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

COOKIE = "tz"


@lru_cache(maxsize=512)
def zone_named(name: str) -> ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class TimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = zone_named(request.COOKIES.get(COOKIE, ""))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
