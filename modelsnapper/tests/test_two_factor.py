"""TOTP two-factor (allauth.mfa) is available to every account."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_user_turns_on_totp_and_then_needs_a_code_to_sign_in(client, owner, password):
    client.post("/accounts/login/", {"login": owner.email, "password": password})
    assert client.get("/accounts/2fa/").status_code == 200

    first = client.get("/accounts/2fa/totp/activate/")
    if first.status_code == 302:  # allauth asks for the password again before security changes
        assert first["Location"].startswith("/accounts/reauthenticate/")
        client.post(first["Location"], {"password": password})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=owner, type=Authenticator.Type.TOTP).exists()

    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": owner.email, "password": password})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session

    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(owner.pk)
