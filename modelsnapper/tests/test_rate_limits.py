def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(client, owner, password):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": owner.email, "password": "wrong-password"})
        assert b"Too many failed login attempts" not in response.content

    blocked = client.post("/accounts/login/", {"login": owner.email, "password": password})

    assert b"Too many failed login attempts" in blocked.content
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_rate_limited_per_ip(client, db, settings):
    settings.ADMIN_LOGIN_RATE_LIMIT = 3
    statuses = [
        client.post("/admin/login/", {"username": "nobody", "password": "nope"}).status_code for _ in range(5)
    ]

    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
