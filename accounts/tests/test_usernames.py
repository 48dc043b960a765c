"""Look-alike usernames (issue #10 item 14): one skeleton per account, under a unique index."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError

from accounts.models import User
from modelsnapper.testing.factories import UserFactory

from .helpers import PROFILE_URL, profile_data, sign_up

LOOKALIKE = "That username looks like an existing username. Choose another."


def test_look_alikes_share_a_skeleton_and_different_names_do_not():
    from accounts.usernames import username_skeleton

    same = {
        "admin",
        "ADMIN",
        "\u0430dmin",  # Cyrillic а
        "adm\u0456n",  # Ukrainian і
        "\u0391DMIN",  # Greek Α
        "\uff41\uff44\uff4d\uff49\uff4e",  # full-width letters
        "adm1n",
        "admín",
    }
    assert len({username_skeleton(name) for name in same}) == 1
    assert username_skeleton("b0b") == username_skeleton("bob")
    assert username_skeleton("anna") != username_skeleton("hanna")
    assert username_skeleton("alice") != username_skeleton("alicia")


def test_signing_up_with_a_cyrillic_look_alike_of_a_taken_username_is_a_form_error(client, db):
    UserFactory(username="admin")

    response = sign_up(client, username="\u0430dmin", email="mallory@example.com")

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [LOOKALIKE]
    assert not User.objects.filter(email="mallory@example.com").exists()


def test_changing_the_username_to_a_look_alike_on_the_profile_is_a_form_error(owner_client, owner, stranger):
    response = owner_client.post(PROFILE_URL, profile_data(owner, username="str\u0430ng\u0435r"))

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [LOOKALIKE]
    owner.refresh_from_db()
    assert owner.username == "owner"


def test_changing_only_the_case_of_my_own_username_is_allowed(owner_client, owner):
    response = owner_client.post(PROFILE_URL, profile_data(owner, username="Owner"))

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.username == "Owner"


def test_the_unique_index_refuses_a_look_alike_that_skips_the_forms(db):
    UserFactory(username="admin")

    with pytest.raises(IntegrityError):
        User.objects.create_user(username="\u0430dmin", email="mallory@example.com", password="x")


def test_the_backfill_keeps_the_oldest_of_existing_look_alikes_and_they_can_still_edit_their_profile(
    client, db, password
):
    # Written past save() (as before this change): both exist, neither has a skeleton yet.
    first, second = User.objects.bulk_create(
        [User(username="admin", email="a@example.com"), User(username="\u0430dmin", email="b@example.com")]
    )
    migration = importlib.import_module("accounts.migrations.0004_user_username_skeleton")

    migration.backfill(apps, None)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.username_skeleton and second.username_skeleton == ""
    client.force_login(second)
    response = client.post(PROFILE_URL, profile_data(second, bio="Still here"))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.bio == "Still here"


def test_two_look_alike_sign_ups_at_the_same_moment_make_one_account_and_a_form_error(db):
    import threading

    from django.test import Client

    from modelsnapper.testing.threads import closes_connections

    barrier = threading.Barrier(6)
    statuses = []

    @closes_connections
    def sign_up_as(n: int) -> None:
        client = Client()
        barrier.wait()
        name = "admin" if n % 2 else "\u0430dmin"  # Latin and Cyrillic a
        response = sign_up(client, username=name, email=f"racer{n}@example.com")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=sign_up_as, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert User.objects.filter(email__startswith="racer").count() == 1
    assert sorted(statuses) == [200] * 5 + [302]
