"""Saved posts: moving a save, editing its note, renaming and deleting collections, counters exact."""

import html
import threading

import pytest
from django.db import connections
from django.urls import reverse

from social import services
from social.models import Save, SaveCollection


def _counts(user) -> dict:
    return {c.name: c.saves_count for c in SaveCollection.objects.filter(user=user)}


def _true_counts(user) -> dict:
    return {
        c.name: Save.objects.filter(collection=c).count() for c in SaveCollection.objects.filter(user=user)
    }


def test_moving_a_save_from_its_page_changes_collection_and_note_and_both_counts(client, friend, make_post):
    post = make_post()
    save = services.save_create(user=friend, post=post, collection_name="Ideas", notes="old")
    services.collection_get_or_create(user=friend, name="Mood")
    client.force_login(friend)
    page = client.get(reverse("social:saved_collection", args=[save.collection_id])).content.decode()
    edit_url = reverse("social:save_edit", args=[save.pk])
    assert edit_url in page
    form = client.get(edit_url).content.decode()
    assert 'list="collection-names"' in form and '<option value="Mood">' in form

    response = client.post(edit_url, {"collection": "Mood", "notes": "for the shoot"})

    mood = SaveCollection.objects.get(user=friend, name="Mood")
    assert response.status_code == 302 and response["Location"] == mood.get_absolute_url()
    save.refresh_from_db()
    assert save.collection_id == mood.pk and save.notes == "for the shoot"
    assert _counts(friend) == {"Ideas": 0, "Mood": 1}
    body = client.get(mood.get_absolute_url()).content.decode()
    assert "Note: for the shoot" in body


def test_moving_to_a_new_name_creates_the_collection(friend, make_post):
    save = services.save_create(user=friend, post=make_post())
    services.save_update(user=friend, save=save, collection_name="Brand new", notes="")
    assert _counts(friend) == {SaveCollection.DEFAULT_NAME: 0, "Brand new": 1}


def test_editing_only_the_note_keeps_counts(friend, make_post):
    save = services.save_create(user=friend, post=make_post(), collection_name="Ideas")
    services.save_update(user=friend, save=save, collection_name="Ideas", notes="just a note")
    save.refresh_from_db()
    assert save.notes == "just a note" and _counts(friend) == {"Ideas": 1}


def test_someone_elses_save_or_collection_is_a_404_and_unchanged(client, friend, stranger, make_post):
    save = services.save_create(user=friend, post=make_post(), collection_name="Ideas")
    client.force_login(stranger)
    assert client.post(reverse("social:save_edit", args=[save.pk]), {"collection": "Mine"}).status_code == 404
    for name in ("collection_edit", "collection_delete"):
        assert (
            client.post(reverse(f"social:{name}", args=[save.collection_id]), {"name": "X"}).status_code
            == 404
        )
    assert client.get(reverse("social:save_edit", args=["not-an-id"])).status_code == 404
    save.refresh_from_db()
    assert save.collection.name == "Ideas" and _counts(friend) == {"Ideas": 1}
    assert not SaveCollection.objects.filter(user=stranger).exists()


def test_a_too_long_note_is_a_form_error_and_nothing_moves(client, friend, make_post):
    save = services.save_create(user=friend, post=make_post(), collection_name="Ideas")
    client.force_login(friend)
    response = client.post(
        reverse("social:save_edit", args=[save.pk]), {"collection": "Mood", "notes": "x" * 501}
    )
    assert response.status_code == 200 and "at most 500 characters" in response.content.decode()
    save.refresh_from_db()
    assert save.collection.name == "Ideas" and _counts(friend) == {"Ideas": 1}


def test_renaming_a_collection_and_a_name_already_taken_is_refused(client, friend, make_post):
    services.save_create(user=friend, post=make_post(), collection_name="Ideas")
    services.collection_get_or_create(user=friend, name="Mood")
    ideas = SaveCollection.objects.get(user=friend, name="Ideas")
    client.force_login(friend)
    page = client.get(ideas.get_absolute_url()).content.decode()
    assert reverse("social:collection_edit", args=[ideas.pk]) in page

    taken = client.post(reverse("social:collection_edit", args=[ideas.pk]), {"name": "Mood"})
    assert (
        taken.status_code == 200 and "You already have a collection called “Mood”." in taken.content.decode()
    )
    assert SaveCollection.objects.get(pk=ideas.pk).name == "Ideas"

    renamed = client.post(reverse("social:collection_edit", args=[ideas.pk]), {"name": "Inspiration"})
    assert renamed.status_code == 302
    assert SaveCollection.objects.get(pk=ideas.pk).name == "Inspiration"
    assert _counts(friend) == {"Inspiration": 1, "Mood": 0}


def test_the_default_collection_cannot_be_renamed_or_deleted(client, friend, make_post):
    services.save_create(user=friend, post=make_post())
    default = SaveCollection.objects.get(user=friend)
    assert default.is_default
    client.force_login(friend)
    assert (
        reverse("social:collection_edit", args=[default.pk])
        not in client.get(default.get_absolute_url()).content.decode()
    )
    response = client.post(reverse("social:collection_edit", args=[default.pk]), {"name": "Other"})
    assert "it can't be renamed" in html.unescape(response.content.decode())
    client.post(reverse("social:collection_delete", args=[default.pk]))
    assert SaveCollection.objects.get(pk=default.pk).name == SaveCollection.DEFAULT_NAME
    assert _counts(friend) == {SaveCollection.DEFAULT_NAME: 1}


def test_deleting_a_collection_asks_first_then_moves_its_saves_to_saved_items(client, friend, make_post):
    for _ in range(2):
        services.save_create(user=friend, post=make_post(), collection_name="Ideas")
    services.save_create(user=friend, post=make_post())
    ideas = SaveCollection.objects.get(user=friend, name="Ideas")
    client.force_login(friend)
    confirm = client.get(reverse("social:collection_delete", args=[ideas.pk])).content.decode()
    assert "The 2 posts saved in it stay saved: they move to “Saved Items”." in confirm
    assert SaveCollection.objects.filter(pk=ideas.pk).exists()

    response = client.post(reverse("social:collection_delete", args=[ideas.pk]), follow=True)

    assert "Its 2 saved posts moved to “Saved Items”." in response.content.decode()
    assert not SaveCollection.objects.filter(pk=ideas.pk).exists()
    assert _counts(friend) == {SaveCollection.DEFAULT_NAME: 3} == _true_counts(friend)
    assert Save.objects.filter(user=friend).count() == 3


def test_unsave_after_a_move_decrements_the_collection_the_save_is_in(friend, make_post):
    post = make_post()
    save = services.save_create(user=friend, post=post, collection_name="Ideas")
    services.save_update(user=friend, save=save, collection_name="Mood", notes="")
    assert services.save_delete(user=friend, post=post)
    assert _counts(friend) == {"Ideas": 0, "Mood": 0}


def _race(actions):
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        try:
            barrier.wait()
            action()
        except services.SocialError:
            pass  # a refused move ("no longer saved", "changed meanwhile") is a correct outcome
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_moves_unsaves_and_collection_delete_keep_collection_counts_exact(
    friend, owner, make_post, round_
):
    posts = [make_post() for _ in range(4)]
    saves = [services.save_create(user=friend, post=p, collection_name="Ideas") for p in posts]
    ideas = SaveCollection.objects.get(user=friend, name="Ideas")
    extra = make_post()
    actions = [
        lambda: services.save_update(user=friend, save=saves[0], collection_name="Mood", notes=""),
        lambda: services.save_update(user=friend, save=saves[0], collection_name="Trips", notes=""),
        lambda: services.save_update(user=friend, save=saves[1], collection_name="Mood", notes=""),
        lambda: services.save_delete(user=friend, post=posts[1]),
        lambda: services.collection_delete(user=friend, collection=ideas),
        lambda: services.save_create(user=friend, post=extra, collection_name="Ideas"),
        lambda: services.save_update(user=friend, save=saves[2], collection_name="Ideas", notes="kept"),
    ]
    _race(actions)
    # every save points at an existing collection, and every collection's count is its true count
    existing = set(SaveCollection.objects.filter(user=friend).values_list("pk", flat=True))
    assert set(Save.objects.filter(user=friend).values_list("collection_id", flat=True)) <= existing
    assert _counts(friend) == _true_counts(friend)
