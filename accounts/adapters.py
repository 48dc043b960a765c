from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from accounts.forms import LOCALE_PATTERN
from accounts.models import User
from accounts.selectors import username_looks_taken
from accounts.usernames import USERNAME_DISALLOWED
from modelsnapper.ratelimit import client_ip

USERNAME_LOOKALIKE = "That username looks like an existing username. Choose another."

# Google's picture is shown by address from its own host, so only an https address is kept.
_https_url = URLValidator(schemes=["https"])


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return True

    def get_client_ip(self, request) -> str:
        # allauth's own rate limits count the same client our limits count.
        return client_ip(request)

    def clean_username(self, username: str, shallow: bool = False, *, exclude=None) -> str:
        """allauth's checks, then look-alikes (``аdmin`` in Cyrillic for ``admin``) of other accounts.

        Also applied when allauth generates a username (``shallow``), so a generated name never
        trips the skeleton index. ``exclude`` is the account being edited.
        """
        username = super().clean_username(username, shallow=shallow)
        if username_looks_taken(username=username, exclude=exclude):
            raise ValidationError(USERNAME_LOOKALIKE, code="username_lookalike")
        return username

    def generate_unique_username(self, txts, regex=None) -> str:
        """A made-up username (Google sign-in) built only from characters the rule allows."""
        return super().generate_unique_username(txts, regex or USERNAME_DISALLOWED)


def _field_text(name: str, value) -> str:
    """Google's claim trimmed to the User field's length ("" when missing or not text)."""
    if not isinstance(value, str):
        return ""
    return value.strip()[: User._meta.get_field(name).max_length]


def _picture_url(value) -> str:
    text = _field_text("picture_url", value)
    try:
        _https_url(text)
    except ValidationError:
        return ""
    return text


def _locale(value) -> str:
    text = _field_text("locale", value)
    return text if LOCALE_PATTERN.fullmatch(text) else ""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """The new account a Google sign-in is about to create, filled from Google's profile.

        allauth calls this only while building a new account from a social login, never for
        an account that already exists (a returning Google user or an email account the login
        connects to), so a later sign-in never overwrites what the person has edited since.
        """
        user = super().populate_user(request, sociallogin, data)
        if sociallogin.account.provider != User.AuthProvider.GOOGLE:
            return user
        # The ID token's claims (the "profile" scope): name, given/family name, picture, locale.
        profile = sociallogin.account.extra_data or {}
        user.auth_provider = User.AuthProvider.GOOGLE
        user.full_name = _field_text("full_name", profile.get("name"))
        user.given_name = _field_text("given_name", profile.get("given_name"))
        user.family_name = _field_text("family_name", profile.get("family_name"))
        user.picture_url = _picture_url(profile.get("picture"))
        user.locale = _locale(profile.get("locale"))
        return user
