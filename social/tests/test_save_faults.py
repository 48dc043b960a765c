"""A save and its counters are written together: a database failure between them leaves neither
(found by benchmarks/soak.py: a save its collection never counted while the database was down)."""

import pytest

from modelsnapper.testing import faults, seams
from social import services
from social.models import Post, Save, SaveCollection
from social.services.repair import counters_recount


@pytest.fixture
def post(owner):
    return services.post_create(author=owner, category="text-post", caption="save me")


def _collection_counts(user) -> dict:
    return dict(SaveCollection.objects.filter(user=user).values_list("name", "saves_count"))


def test_a_save_whose_collection_count_fails_leaves_no_save_and_no_drift(friend, post):
    # skip=1: the post's count is written, the collection's fails.
    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.save_create(user=friend, post=post, collection_name="Ideas")

    assert not Save.objects.filter(user=friend).exists()
    assert Post.objects.get(pk=post.pk).saves_count == 0
    assert counters_recount(fix=False) == []


def test_an_unsave_whose_collection_count_fails_keeps_the_save_and_its_counts(friend, post):
    services.save_create(user=friend, post=post, collection_name="Ideas")

    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.save_delete(user=friend, post=post)

    assert Save.objects.filter(user=friend).count() == Post.objects.get(pk=post.pk).saves_count == 1
    assert _collection_counts(friend) == {"Ideas": 1}
    assert counters_recount(fix=False) == []


def test_a_move_whose_count_into_the_new_collection_fails_leaves_the_save_where_it_was(friend, post):
    save = services.save_create(user=friend, post=post, collection_name="Ideas")
    services.collection_get_or_create(user=friend, name="Mood")

    # The move itself and the old collection's −1 are written; the new collection's +1 fails.
    with faults.failing("update", skip=2, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.save_update(user=friend, save=save, collection_name="Mood", notes="moved")

    save.refresh_from_db()
    assert save.collection.name == "Ideas" and save.notes == ""
    assert _collection_counts(friend) == {"Ideas": 1, "Mood": 0}
    assert counters_recount(fix=False) == []


def test_deleting_a_collection_whose_saves_cannot_be_counted_into_saved_items_keeps_the_collection(
    friend, post
):
    services.save_create(user=friend, post=post, collection_name="Ideas")
    services.collection_get_or_create(user=friend, name=SaveCollection.DEFAULT_NAME)
    ideas = SaveCollection.objects.get(user=friend, name="Ideas")

    # The saves are moved (first update); counting them into "Saved Items" fails.
    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.collection_delete(user=friend, collection=ideas)

    assert Save.objects.get(user=friend).collection_id == ideas.pk
    assert _collection_counts(friend) == {"Ideas": 1, SaveCollection.DEFAULT_NAME: 0}
    assert counters_recount(fix=False) == []


def test_saves_unsaves_and_moves_still_count_once_each(friend, stranger, post, owner):
    other = services.post_create(author=owner, category="text-post", caption="and me")
    save = services.save_create(user=friend, post=post, collection_name="Ideas")
    services.save_create(user=friend, post=other, collection_name="Ideas")
    services.save_create(user=stranger, post=post)
    services.save_update(user=friend, save=save, collection_name="Mood", notes="")
    services.save_delete(user=stranger, post=post)

    assert Post.objects.get(pk=post.pk).saves_count == 1
    assert _collection_counts(friend) == {"Ideas": 1, "Mood": 1}
    assert counters_recount(fix=False) == []


def test_a_save_into_a_collection_deleted_meanwhile_goes_to_saved_items_counted_once(friend, post, owner):
    earlier = services.post_create(author=owner, category="text-post", caption="saved earlier")
    services.save_create(user=friend, post=earlier, collection_name="Ideas")
    ideas = SaveCollection.objects.get(user=friend, name="Ideas")

    def delete_it(collection):
        services.collection_delete(user=friend, collection=collection)

    with seams.at("save.collection_chosen", delete_it):
        save = services.save_create(user=friend, post=post, collection_name="Ideas")

    assert save.collection.name == SaveCollection.DEFAULT_NAME
    assert not SaveCollection.objects.filter(pk=ideas.pk).exists()
    assert _collection_counts(friend) == {SaveCollection.DEFAULT_NAME: 2}
    assert counters_recount(fix=False) == []
