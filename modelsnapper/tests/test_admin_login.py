"""Staff sign in to the admin through allauth: its rate limits and two-factor apply."""

import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value


def _with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _code(secret: str, windows_ago: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 - windows_ago))


def test_the_admin_login_page_sends_people_to_the_allauth_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=%2Fadmin%2F" in response["Location"]


def test_a_staff_user_with_totp_cannot_reach_the_admin_with_a_password_alone(client, staff, password):
    _with_totp(staff)

    # The old Django admin form would have signed them in here.
    client.post("/admin/login/", {"username": staff.username, "password": password, "next": "/admin/"})
    signed_in = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": password})

    assert "_auth_user_id" not in client.session
    assert signed_in["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/admin/").status_code == 302


def test_a_staff_user_with_totp_reaches_the_admin_after_the_code(client, staff, password):
    secret = _with_totp(staff)
    client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": password})

    response = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_code_from_the_thirty_seconds_before_still_signs_in(client, staff, password):
    # Typing a code takes a few seconds: one that turned over while it was typed (or while
    # the request was on its way) is the one RFC 6238 says to allow.
    secret = _with_totp(staff)
    client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": password})

    response = client.post("/accounts/2fa/authenticate/", {"code": _code(secret, windows_ago=1)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_code_from_a_minute_before_is_refused(client, staff, password):
    secret = _with_totp(staff)
    client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": password})

    response = client.post("/accounts/2fa/authenticate/", {"code": _code(secret, windows_ago=3)})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_signed_in_member_who_is_not_staff_is_refused_at_the_admin_login(owner_client):
    assert owner_client.get("/admin/login/").status_code == 403


def test_failed_admin_sign_ins_meet_allauths_rate_limit(client, staff, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    attempt = {"login": staff.email, "password": "wrong-password"}

    for _ in range(3):
        assert (
            b"Too many failed login attempts"
            not in client.post("/accounts/login/?next=/admin/", attempt).content
        )

    assert b"Too many failed login attempts" in client.post("/accounts/login/?next=/admin/", attempt).content
