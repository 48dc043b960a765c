from allauth.usersessions.models import UserSession
from django.test import Client

from accounts.models import User

URL = "/settings/delete/"


def signed_in(user, password) -> Client:
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0")
    assert browser.post("/accounts/login/", {"login": user.username, "password": password}).status_code == 302
    return browser


def test_the_page_explains_what_happens(owner_client):
    page = owner_client.get(URL).content.decode()

    assert "signed out on every device" in page
    assert 'type="password"' in page


def test_a_wrong_password_is_an_error_and_nothing_changes(owner, password):
    browser = signed_in(owner, password)

    response = browser.post(URL, {"password": "wrong-password"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["That password is not correct."]
    owner.refresh_from_db()
    assert owner.deleted_at is None and owner.is_active
    assert browser.get("/settings/").status_code == 200


def test_the_right_password_deletes_softly_and_signs_out_everywhere(owner, password, client):
    browser = signed_in(owner, password)
    other_device = signed_in(owner, password)

    response = browser.post(URL, {"password": password}, follow=True)

    assert response.wsgi_request.user.is_anonymous
    assert "Your account has been deleted" in response.content.decode()
    assert browser.get("/settings/").status_code == 302
    assert other_device.get("/settings/").status_code == 302
    assert not UserSession.objects.filter(user=owner).exists()
    kept = User.objects.get(pk=owner.pk)
    assert kept.deleted_at is not None
    assert not kept.is_active
    assert kept.email == "owner@example.com"


def test_a_deleted_account_cannot_sign_in_again(owner, password, client):
    browser = signed_in(owner, password)
    browser.post(URL, {"password": password})

    response = client.post("/accounts/login/", {"login": "owner", "password": password})

    assert response.status_code == 302
    assert response.url == "/accounts/inactive/"
    assert client.get("/settings/").status_code == 302


def test_a_deleted_accounts_profile_is_gone(owner, password, client):
    signed_in(owner, password).post(URL, {"password": password})

    assert client.get("/u/owner/").status_code == 404


def test_a_session_the_teardown_missed_is_signed_out_on_its_next_request(owner_client, owner):
    # force_login creates no allauth UserSession row: the middleware still catches it.
    User.objects.filter(pk=owner.pk).update(deleted_at=owner.date_joined)

    assert owner_client.get("/settings/").status_code == 302


def test_accounts_without_a_password_confirm_by_typing_the_username(client, owner):
    owner.set_unusable_password()
    owner.save()
    client.force_login(owner)

    wrong = client.post(URL, {"username": "someone-else"})
    assert wrong.context["form"].errors["username"]

    client.post(URL, {"username": "owner"})
    owner.refresh_from_db()
    assert owner.deleted_at is not None
