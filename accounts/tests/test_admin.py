import pytest
from django.utils import timezone

from accounts.models import BusinessProfile, User
from modelsnapper.images import ImageUploadField
from modelsnapper.testing.factories import ModelProfileFactory


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def business_profile(owner):
    return BusinessProfile.objects.create(
        user=owner, business_name="Owner & Co", stripe_customer_id="cus_123"
    )


@pytest.fixture
def model_profile(friend):
    return ModelProfileFactory(user=friend, display_name="Friendly Face")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/?q=owner",
        "/admin/accounts/user/?deleted=yes",
        "/admin/accounts/user/?deleted=no&role__exact=creator&is_staff__exact=0",
        "/admin/accounts/user/add/",
        "/admin/accounts/businessprofile/",
        "/admin/accounts/businessprofile/?q=owner",
        "/admin/accounts/businessprofile/add/",
        "/admin/accounts/modelprofile/",
        "/admin/accounts/modelprofile/?q=friendly&consent_signed__exact=0",
        "/admin/accounts/modelprofile/add/",
    ],
)
def test_staff_reach_every_accounts_admin_page(staff_client, business_profile, model_profile, url):
    assert staff_client.get(url).status_code == 200


def test_staff_reach_the_change_pages(staff_client, owner, business_profile, model_profile):
    for url in (
        f"/admin/accounts/user/{owner.pk}/change/",
        f"/admin/accounts/user/{owner.pk}/password/",
        f"/admin/accounts/businessprofile/{business_profile.pk}/change/",
        f"/admin/accounts/modelprofile/{model_profile.pk}/change/",
    ):
        assert staff_client.get(url).status_code == 200, url


def test_the_deleted_filter_lists_only_soft_deleted_users(staff_client, owner, friend):
    User.objects.filter(pk=friend.pk).update(deleted_at=timezone.now())

    deleted = staff_client.get("/admin/accounts/user/?deleted=yes").context["cl"].result_list
    kept = staff_client.get("/admin/accounts/user/?deleted=no").context["cl"].result_list

    assert [user.username for user in deleted] == ["friend"]
    assert "friend" not in [user.username for user in kept]


def test_staff_add_a_user_with_email_username_and_password(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "added",
            "email": "added@example.com",
            "usable_password": "true",
            "password1": "plum-tractor-sunrise-42",
            "password2": "plum-tractor-sunrise-42",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    added = User.objects.get(username="added")
    assert added.email == "added@example.com"
    assert added.check_password("plum-tractor-sunrise-42")


def test_people_who_are_not_staff_are_sent_to_the_admin_login(owner_client):
    response = owner_client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_admin_image_uploads_go_through_the_same_checks(staff_client, owner):
    form = staff_client.get(f"/admin/accounts/user/{owner.pk}/change/").context["adminform"].form

    assert isinstance(form.fields["avatar"], ImageUploadField)
    assert isinstance(form.fields["cover_image"], ImageUploadField)
