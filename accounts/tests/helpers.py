"""What several accounts test modules do the same way: sign up, and fill in the profile form."""

from __future__ import annotations

PROFILE_URL = "/settings/profile/"
STRONG = "plum-tractor-sunrise-42"


def sign_up(client, **overrides):
    """Post the sign-up form (a new, strong-password account unless ``overrides`` say otherwise)."""
    data = {"email": "new@example.com", "username": "newbie", "password1": STRONG, "password2": STRONG}
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def profile_data(user, **changes):
    """The profile form as the page pre-fills it for ``user``, with ``changes``."""
    data = {
        "full_name": user.full_name,
        "username": user.username,
        "given_name": "",
        "family_name": "",
        "date_of_birth": "",
        "gender": user.gender,
        "locale": "",
        "bio": "",
        "website": "",
        "location": "",
        "phone": "",
    }
    data.update(changes)
    return data
