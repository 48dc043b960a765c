"""A person's avatar, one way everywhere (``{% avatar %}``): their uploaded picture, else the picture
Google gave at sign-in (https only, sent without a referrer), else their initials."""

from __future__ import annotations

import pytest
from django.urls import reverse

from modelsnapper.testing.media import image_upload

from .helpers import PROFILE_URL, profile_data

GOOGLE_PICTURE = "https://lh3.googleusercontent.com/a/ACg8ocK-demo=s96-c"


def nav_of(page: str) -> str:
    """The account menu's button (the nav avatar) of a rendered page."""
    start = page.index('<details class="nav-account">')
    return page[start : page.index("</summary>", start)]


def profile_identity_of(page: str) -> str:
    start = page.index('<div class="profile-identity">')
    return page[start : page.index("</h1>", start)]


@pytest.fixture
def googler(owner):
    owner.full_name = "Olive Owner"
    owner.picture_url = GOOGLE_PICTURE
    owner.save()
    return owner


def test_the_google_picture_shows_in_the_nav_and_on_the_profile_without_a_referrer(owner_client, googler):
    page = owner_client.get(reverse("accounts:profile", args=[googler.username])).content.decode()

    for part in (nav_of(page), profile_identity_of(page)):
        assert f'src="{GOOGLE_PICTURE}"' in part
        assert 'referrerpolicy="no-referrer"' in part
        assert "avatar-initial" not in part


def test_the_content_security_policy_lets_the_google_picture_load(owner_client, googler):
    response = owner_client.get(reverse("accounts:profile", args=[googler.username]))

    img_src = next(
        directive
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip().startswith("img-src")
    )
    assert "https://lh3.googleusercontent.com" in img_src.split()


def test_an_uploaded_avatar_wins_over_the_google_picture(owner_client, googler):
    response = owner_client.post(
        PROFILE_URL, {**profile_data(googler), "avatar": image_upload(name="me.png", fmt="PNG")}
    )
    assert response.status_code == 302
    googler.refresh_from_db()

    page = owner_client.get(reverse("accounts:profile", args=[googler.username])).content.decode()

    for part in (nav_of(page), profile_identity_of(page)):
        assert GOOGLE_PICTURE not in part
        assert f"avatars/{googler.pk}/" in part


@pytest.mark.parametrize(
    "address",
    [
        "http://lh3.googleusercontent.com/a/plain-http",  # not https
        "https://tracker.example.com/pixel.png",  # a host the page may not load pictures from
        "javascript:alert(1)",
    ],
)
def test_a_picture_address_that_is_not_a_google_https_one_shows_initials(owner_client, owner, address):
    owner.full_name = "Olive Owner"
    owner.picture_url = address
    owner.save()

    page = owner_client.get(reverse("accounts:profile", args=[owner.username])).content.decode()

    for part in (nav_of(page), profile_identity_of(page)):
        assert address not in part
        assert '<span class="avatar' in part and ">OO</span>" in part


def test_without_any_picture_the_initials_are_shown_or_the_usernames_first_letter(owner_client, owner):
    owner.full_name = ""  # the display name is then the username, "owner"
    owner.save()

    page = owner_client.get(reverse("accounts:profile", args=[owner.username])).content.decode()

    for part in (nav_of(page), profile_identity_of(page)):
        assert "<img" not in part
        assert '<span class="avatar' in part and ">O</span>" in part
