from accounts.models import BusinessProfile, ModelProfile, User

URL = "/settings/role/"


def test_a_new_account_is_a_creator(owner_client, owner):
    assert owner.role == User.Role.CREATOR
    assert owner_client.get(URL).context["form"].initial["role"] == "creator"


def test_choosing_business_without_a_business_name_is_an_error(owner_client, owner):
    response = owner_client.post(URL, {"role": "business", "business_name": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["business_name"]
    owner.refresh_from_db()
    assert owner.role == User.Role.CREATOR
    assert not BusinessProfile.objects.exists()


def test_choosing_business_with_a_name_creates_the_business_profile(owner_client, owner):
    response = owner_client.post(URL, {"role": "business", "business_name": "Owner & Co"})

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.role == User.Role.BUSINESS
    assert BusinessProfile.objects.get(user=owner).business_name == "Owner & Co"


def test_renaming_the_business_updates_the_same_profile(owner_client, owner):
    owner_client.post(URL, {"role": "business", "business_name": "Owner & Co"})

    owner_client.post(URL, {"role": "business", "business_name": "Owner Studios"})

    assert list(BusinessProfile.objects.filter(user=owner).values_list("business_name", flat=True)) == [
        "Owner Studios"
    ]
    assert owner_client.get(URL).context["form"].initial["business_name"] == "Owner Studios"


def test_choosing_model_requires_a_display_name(owner_client, owner):
    response = owner_client.post(URL, {"role": "model"})

    assert response.context["form"].errors["display_name"]
    assert not ModelProfile.objects.exists()


def test_choosing_model_creates_the_model_profile(owner_client, owner):
    response = owner_client.post(URL, {"role": "model", "display_name": "Olive O."})

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.role == User.Role.MODEL
    profile = ModelProfile.objects.get(user=owner)
    assert profile.display_name == "Olive O."
    assert profile.consent_signed is False


def test_switching_back_to_creator_keeps_the_old_profile(owner_client, owner):
    owner_client.post(URL, {"role": "business", "business_name": "Owner & Co"})

    owner_client.post(URL, {"role": "creator"})

    owner.refresh_from_db()
    assert owner.role == User.Role.CREATOR
    assert BusinessProfile.objects.filter(user=owner).exists()


def test_an_unknown_role_is_refused(owner_client, owner):
    response = owner_client.post(URL, {"role": "admin"})

    assert response.context["form"].errors["role"]
    owner.refresh_from_db()
    assert owner.role == User.Role.CREATOR
