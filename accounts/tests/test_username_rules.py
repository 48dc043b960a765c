"""Username rules from seed 003 (issue #15 item 3): 3–30 characters, letters, digits, ``_`` and ``.``.

The rule lives in ``accounts.usernames`` and is enforced by the model field (so the admin and
allauth's sign-up apply it) and by the profile form. Usernames that predate the rule are left
as they are: their owners still sign in and save their profile; only a new or changed name
must follow it.
"""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from modelsnapper.testing.factories import UserFactory

from .helpers import PROFILE_URL, profile_data, sign_up

RULE = "Use 3 to 30 characters: letters, digits, underscores (_) and dots (.) only."


@pytest.mark.parametrize(
    "username",
    ["ab", "has space", "dash-name", "plus+name", "at@name", "emoji\U0001f600"],
)
def test_signing_up_with_a_username_that_breaks_the_rule_is_a_form_error_with_the_rule(client, db, username):
    response = sign_up(client, username=username)

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [RULE]
    assert not User.objects.filter(email="new@example.com").exists()


def test_signing_up_with_a_31_character_username_is_a_form_error_that_says_30_at_most(client, db):
    response = sign_up(client, username="a" * 31)

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "Ensure this value has at most 30 characters (it has 31)."
    ]
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("username", ["abc", "a" * 30, "jane.doe_42", "José", "Ана_К"])
def test_signing_up_with_letters_digits_underscores_and_dots_is_accepted(client, db, username):
    response = sign_up(client, username=username)

    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").username == username


def test_changing_my_username_to_one_that_breaks_the_rule_is_a_form_error_and_nothing_changes(
    owner_client, owner
):
    response = owner_client.post(PROFILE_URL, profile_data(owner, username="no-dashes", bio="new bio"))

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [RULE]
    owner.refresh_from_db()
    assert owner.username == "owner"
    assert owner.bio == ""


def test_the_model_refuses_a_username_that_breaks_the_rule(db):
    user = User(username="x", email="x@example.com")
    user.set_unusable_password()

    with pytest.raises(ValidationError) as caught:
        user.full_clean()

    assert RULE in caught.value.message_dict["username"]


def test_an_account_whose_username_predates_the_rule_still_signs_in_and_saves_its_profile(
    client, db, password
):
    legacy = UserFactory(username="old-timer+1", email="legacy@example.com")

    response = client.post("/accounts/login/", {"login": "old-timer+1", "password": password})
    assert response.status_code == 302
    assert client.get("/settings/").status_code == 200

    saved = client.post(PROFILE_URL, profile_data(legacy, bio="still here"))

    assert saved.status_code == 302
    legacy.refresh_from_db()
    assert legacy.username == "old-timer+1"
    assert legacy.bio == "still here"


def test_an_account_whose_username_predates_the_rule_must_follow_it_when_it_changes_its_name(
    client, db, password
):
    legacy = UserFactory(username="old-timer+1", email="legacy@example.com")
    client.force_login(legacy)

    response = client.post(PROFILE_URL, profile_data(legacy, username="old-timer+2"))

    assert response.context["form"].errors["username"] == [RULE]
    legacy.refresh_from_db()
    assert legacy.username == "old-timer+1"


def test_a_username_made_up_at_google_sign_in_follows_the_rule(db):
    from allauth.account.adapter import get_adapter

    from accounts.usernames import validate_username

    made = get_adapter().generate_unique_username(["Mary-Jane O'Neil+test", "", "mj@example.com"])

    validate_username(made)
    assert made == "maryjane_oneiltest"
