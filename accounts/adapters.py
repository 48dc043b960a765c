from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from accounts.selectors import username_looks_taken
from accounts.usernames import USERNAME_DISALLOWED
from modelsnapper.ratelimit import client_ip

USERNAME_LOOKALIKE = "That username looks like an existing username. Choose another."


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
