def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(client, owner, password):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": owner.email, "password": "wrong-password"})
        assert b"Too many failed login attempts" not in response.content

    blocked = client.post("/accounts/login/", {"login": owner.email, "password": password})

    assert b"Too many failed login attempts" in blocked.content
    assert "_auth_user_id" not in client.session


def test_admin_sign_ins_are_rate_limited_per_ip_by_allauth(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}

    def attempt(n, ip):
        # A different account each time: the per-IP limit, not the per-account one, refuses.
        data = {"login": f"nobody{n}@example.com", "password": "nope"}
        return client.post("/accounts/login/?next=/admin/", data, REMOTE_ADDR=ip).content

    assert all(b"Too many failed login attempts" not in attempt(n, "192.0.2.9") for n in range(3))
    assert b"Too many failed login attempts" in attempt(3, "192.0.2.9")
    # Another address is not affected.
    assert b"Too many failed login attempts" not in attempt(4, "192.0.2.10")
