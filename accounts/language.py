"""The interface language: which one a request is shown in, and switching it.

Anonymous visitors get Django's ``LocaleMiddleware``: the language cookie, then the browser's
Accept-Language. A signed-in person's saved preference (``Preferences.language``) wins, on
every request and every device: ``UserLanguageMiddleware`` (after authentication) is the one
place that applies it. Switching (the footer's buttons, ``language_set``) sets the cookie and,
when signed in, saves the preference, so the choice survives signing out and in again.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts import services as accounts_services
from accounts.models import Preferences


def offered(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def user_language(user) -> str | None:
    """The language a signed-in user sees, or None for anonymous visitors.

    A preference for a language no longer offered (French and German were listed before they
    had a translation) falls back to English rather than to a half-translated interface.
    """
    if user is None or not user.is_authenticated:
        return None
    saved = user.preferences.language if user.preferences else ""
    return saved if offered(saved) else settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = user_language(getattr(request, "user", None))
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def user_language_save(*, user, language: str) -> None:
    """Keep every other preference, change the language."""
    current = user.preferences or Preferences()
    accounts_services.user_update_preferences(
        user=user,
        dark_mode=current.dark_mode,
        email_notifications=current.email_notifications,
        push_notifications=current.push_notifications,
        language=language,
    )


@require_POST
def language_set(request):
    """Django's ``set_language`` (cookie, then back to ``next``), plus the saved preference."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and offered(language):
        user_language_save(user=request.user, language=language)
    return response
