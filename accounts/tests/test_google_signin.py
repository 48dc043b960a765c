"""Google sign-in (issue #15 item 1): the real allauth OAuth2 flow, with Google's token endpoint
mocked at the HTTP edge (``responses``), so no network is used.

The first sign-in creates the account with ``auth_provider = google`` and imports Google's name,
given and family name, picture address and locale; a later sign-in leaves whatever the person
has edited since.
"""

import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import responses

from accounts.models import User
from modelsnapper.testing.factories.accounts import UserFactory

CLIENT_ID = "test-client.apps.googleusercontent.com"
TOKEN_URL = "https://oauth2.googleapis.com/token"
PICTURE = "https://lh3.googleusercontent.com/a/ACg8ocK-ana"

ANA = {
    "sub": "108234567890123456789",
    "email": "ana.garcia@example.com",
    "email_verified": True,
    "name": "Ana García",
    "given_name": "Ana",
    "family_name": "García",
    "picture": PICTURE,
    "locale": "es-MX",
}


@pytest.fixture
def google(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {
            "SCOPE": ["profile", "email"],
            "AUTH_PARAMS": {"access_type": "online"},
            "APPS": [{"client_id": CLIENT_ID, "secret": "test-secret", "key": ""}],
        }
    }
    settings.GOOGLE_SIGNIN_ENABLED = True


def id_token(claims: dict) -> str:
    """An ID token as Google's token endpoint returns it. allauth skips the signature check for
    a token it fetched itself over TLS (OpenID Connect Core 3.1.3.7), but checks issuer, audience
    and expiry, so those are real."""
    now = int(time.time())
    payload = {
        "iss": "https://accounts.google.com",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(payload, "a key Google never used, long enough for HS256", algorithm="HS256")


def sign_in_with_google(client, claims: dict):
    start = client.post("/accounts/google/login/")
    assert start.status_code == 302, start
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    with responses.RequestsMock() as google_api:
        google_api.post(
            TOKEN_URL,
            json={
                "access_token": "ya29.test",
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": "openid email profile",
                "id_token": id_token(claims),
            },
        )
        return client.get("/accounts/google/login/callback/", {"state": state, "code": "4/0Atest"})


def test_first_google_sign_in_creates_a_google_account_with_the_imported_profile(client, db, google):
    response = sign_in_with_google(client, ANA)

    assert response.status_code == 302
    user = User.objects.get(email="ana.garcia@example.com")
    assert user.auth_provider == User.AuthProvider.GOOGLE
    assert (user.full_name, user.given_name, user.family_name) == ("Ana García", "Ana", "García")
    assert user.picture_url == PICTURE
    assert user.locale == "es-MX"
    assert not user.has_usable_password()
    assert client.get("/settings/").status_code == 200


def test_a_second_google_sign_in_keeps_what_the_person_edited(client, db, google):
    sign_in_with_google(client, ANA)
    User.objects.filter(email=ANA["email"]).update(full_name="Ana G.", locale="es-ES", given_name="Anita")
    client.logout()

    response = sign_in_with_google(
        client, {**ANA, "name": "Ana Renamed", "locale": "en", "given_name": "Annie"}
    )

    assert response.status_code == 302
    assert client.get("/settings/").status_code == 200
    user = User.objects.get(email=ANA["email"])
    assert (user.full_name, user.given_name, user.locale) == ("Ana G.", "Anita", "es-ES")
    assert User.objects.filter(email=ANA["email"]).count() == 1


def test_google_sign_in_to_an_existing_email_account_leaves_its_profile_and_provider(client, db, google):
    person = UserFactory(username="ana", email=ANA["email"], full_name="Ana from email", locale="")

    response = sign_in_with_google(client, ANA)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.auth_provider == User.AuthProvider.EMAIL
    assert (person.full_name, person.locale, person.picture_url) == ("Ana from email", "", "")


def test_a_malformed_locale_or_a_non_https_picture_from_google_is_not_imported(client, db, google):
    sign_in_with_google(client, {**ANA, "locale": "<script>", "picture": "http://example.com/p.png"})

    user = User.objects.get(email=ANA["email"])
    assert user.auth_provider == User.AuthProvider.GOOGLE
    assert (user.locale, user.picture_url) == ("", "")
    assert user.full_name == "Ana García"
