import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client

URL = "/settings/sessions/"
MAC_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def signed_in(user, password, *, user_agent: str, ip: str) -> Client:
    """A browser that signed in through the real login view, so allauth records its session."""
    browser = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    response = browser.post("/accounts/login/", {"login": user.username, "password": password})
    assert response.status_code == 302, response.content
    return browser


@pytest.fixture
def laptop(owner, password):
    return signed_in(owner, password, user_agent=MAC_CHROME, ip="203.0.113.10")


@pytest.fixture
def phone(owner, password):
    return signed_in(owner, password, user_agent=IPHONE_SAFARI, ip="198.51.100.7")


def is_signed_in(browser: Client) -> bool:
    return browser.get(URL).status_code == 200


def phone_session(owner) -> UserSession:
    return UserSession.objects.get(user=owner, user_agent=IPHONE_SAFARI)


def test_the_list_shows_every_signed_in_device(laptop, phone):
    response = laptop.get(URL)

    page = response.content.decode()
    assert "Chrome on macOS" in page
    assert "Safari on iPhone" in page
    assert "203.0.113.10" in page and "198.51.100.7" in page
    rows = response.context["sessions"]
    assert [(row.device, row.is_current) for row in rows] == [
        ("Chrome on macOS", True),
        ("Safari on iPhone", False),
    ]
    assert page.count("This device") == 1


def test_signing_out_another_session_makes_its_next_request_anonymous(laptop, phone, owner):
    target = phone_session(owner)

    response = laptop.post(f"/settings/sessions/{target.pk}/end/")

    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=target.pk).exists()
    assert not Session.objects.filter(session_key=target.session_key).exists()
    assert not is_signed_in(phone)
    assert phone.get("/").wsgi_request.user.is_anonymous
    assert is_signed_in(laptop)


def test_a_session_id_that_is_not_yours_is_a_404(laptop, stranger, password, owner):
    signed_in(stranger, password, user_agent=MAC_CHROME, ip="192.0.2.1")
    theirs = UserSession.objects.get(user=stranger)

    response = laptop.post(f"/settings/sessions/{theirs.pk}/end/")

    assert response.status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("bad_id", ["not-an-id", "000000000000000000000000"])
def test_a_malformed_or_unknown_session_id_is_a_404(laptop, bad_id):
    assert laptop.post(f"/settings/sessions/{bad_id}/end/").status_code == 404


def test_ending_a_session_needs_a_post(laptop, phone, owner):
    target = phone_session(owner)

    assert laptop.get(f"/settings/sessions/{target.pk}/end/").status_code == 405
    assert is_signed_in(phone)


def test_sign_out_all_other_sessions_keeps_only_this_one(laptop, phone, owner, password):
    tablet = signed_in(
        owner,
        password,
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ip="192.0.2.55",
    )

    response = laptop.post("/settings/sessions/others/end/", follow=True)

    assert "Signed out of 2 other sessions." in response.content.decode()
    assert not is_signed_in(phone)
    assert not is_signed_in(tablet)
    assert is_signed_in(laptop)
    assert UserSession.objects.filter(user=owner).count() == 1


def test_with_no_other_sessions_the_page_says_so(laptop):
    page = laptop.get(URL).content.decode()

    assert "You are not signed in anywhere else." in page
    assert "Sign out all other sessions" not in page


def test_the_sessions_page_requires_login(client, db):
    assert client.get(URL).status_code == 302
