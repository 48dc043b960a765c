from django.conf import settings

from modelsnapper.navigation import sections_for


def site(request):
    user = getattr(request, "user", None)
    dark_mode = False
    if user is not None and user.is_authenticated:
        dark_mode = user.preferences.dark_mode if user.preferences else False
    return {
        "SITE_NAME": settings.SITE_NAME,
        "GOOGLE_SIGNIN_ENABLED": settings.GOOGLE_SIGNIN_ENABLED,
        "theme": "dark" if dark_mode else "light",
        **sections_for(request),
    }
