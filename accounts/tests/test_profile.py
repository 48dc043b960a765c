import pytest
from django.utils import timezone

from accounts.models import SocialStats, User


def test_the_public_profile_shows_the_person(client, owner):
    owner.bio = "Portraits & landscapes"
    owner.website = "https://olive.example.com"
    owner.location = "Lisbon"
    owner.stats = SocialStats(posts=3, followers=1200, following=7, likes_received=42)
    owner.save()

    response = client.get("/u/owner/")

    assert response.status_code == 200
    page = response.content.decode()
    assert owner.full_name in page
    assert "@owner" in page
    assert "Portraits &amp; landscapes" in page
    assert "olive.example.com" in page
    assert "Lisbon" in page
    assert "1,200" in page
    assert "Joined" in page


@pytest.mark.parametrize("post_count", [1, 30])
def test_the_profile_page_uses_a_fixed_number_of_queries(
    client, owner, post_count, django_assert_num_queries
):
    from social.services import post_create

    for n in range(post_count):
        post_create(author=owner, category="text-post", caption=f"post {n}")
    client.get("/u/owner/")  # the first visit fills the feed-window caches

    # The person, their newest posts (the author is the person already loaded) and their badges.
    with django_assert_num_queries(3):
        response = client.get("/u/owner/")
    assert f"post {post_count - 1}".encode() in response.content


def test_an_unknown_profile_is_a_404(client, db):
    assert client.get("/u/nobody/").status_code == 404


def test_a_deleted_users_profile_is_a_404(client, owner):
    User.objects.filter(pk=owner.pk).update(deleted_at=timezone.now(), is_active=False)

    assert client.get("/u/owner/").status_code == 404


def test_a_deactivated_users_profile_is_a_404(client, owner):
    User.objects.filter(pk=owner.pk).update(is_active=False)

    assert client.get("/u/owner/").status_code == 404


def test_the_owner_sees_an_edit_link_on_their_own_profile(owner_client, client, stranger):
    assert "/settings/profile/" in owner_client.get("/u/owner/").content.decode()
    client.force_login(stranger)
    assert "/settings/profile/" not in client.get("/u/owner/").content.decode().split("<main", 1)[1]


def test_the_settings_index_links_every_settings_page(owner_client):
    page = owner_client.get("/settings/").content.decode()

    for url in (
        "/settings/profile/",
        "/settings/preferences/",
        "/settings/role/",
        "/settings/sessions/",
        "/settings/delete/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ):
        assert f'href="{url}"' in page, url


def test_every_settings_page_requires_login(client, db):
    for url in (
        "/settings/",
        "/settings/profile/",
        "/settings/preferences/",
        "/settings/role/",
        "/settings/sessions/",
        "/settings/delete/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url
