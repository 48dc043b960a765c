"""The default collection of saved posts is named in the reader's language wherever it is shown
(issue #15.2 follow-up): its stored name ("Saved Items") is the key the services find it by, so
every page, form and message shows its label instead, and a Spanish reader who picks that label
moves a post back into the default collection rather than into a new one named in Spanish.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from modelsnapper.testing.factories import PostFactory
from modelsnapper.testing.i18n import page_for, shown_text
from social import services
from social.models import Save, SaveCollection

DEFAULT_ES = "Elementos guardados"


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_moving_a_saved_post_offers_and_names_the_default_collection_in_spanish(client, spanish_reader):
    save = services.save_create(user=spanish_reader, post=PostFactory())
    services.save_create(user=spanish_reader, post=PostFactory(), collection_name="Ideas")
    url = reverse("social:save_edit", args=[save.pk])

    page = page_for(client, spanish_reader, url)
    assert f'value="{DEFAULT_ES}"' in page  # the field shows where the post is, in Spanish
    assert f'<option value="{DEFAULT_ES}">' in page and '<option value="Ideas">' in page
    assert "Saved Items" not in page


def test_a_spanish_reader_moving_a_post_back_to_the_default_collection_makes_no_new_collection(
    client, spanish_reader
):
    save = services.save_create(user=spanish_reader, post=PostFactory(), collection_name="Ideas")
    client.force_login(spanish_reader)

    response = client.post(
        reverse("social:save_edit", args=[save.pk]), {"collection": DEFAULT_ES, "notes": ""}
    )

    assert response.status_code == 302
    default = SaveCollection.objects.get(user=spanish_reader, name=SaveCollection.DEFAULT_NAME)
    assert Save.objects.get(pk=save.pk).collection_id == default.pk
    assert not SaveCollection.objects.filter(user=spanish_reader, name=DEFAULT_ES).exists()
    assert flashed(response) == [f"Guardado en «{DEFAULT_ES}»."]


def test_deleting_a_collection_tells_a_spanish_reader_its_posts_moved_to_the_default_in_spanish(
    client, spanish_reader
):
    ideas = services.save_create(user=spanish_reader, post=PostFactory(), collection_name="Ideas").collection
    client.force_login(spanish_reader)

    response = client.post(reverse("social:collection_delete", args=[ideas.pk]))

    assert flashed(response) == [f"«Ideas» eliminada. Su 1 publicación guardada pasó a «{DEFAULT_ES}»."]


def test_the_default_collections_own_pages_name_it_in_spanish(client, spanish_reader):
    default = services.save_create(user=spanish_reader, post=PostFactory()).collection
    client.force_login(spanish_reader)

    for name, title in (
        ("social:collection_edit", f"Cambiar el nombre de «{DEFAULT_ES}»"),
        ("social:collection_delete", f"¿Eliminar «{DEFAULT_ES}»?"),
        ("social:saved_collection", f"Guardados: {DEFAULT_ES}"),
    ):
        page = shown_text(client.get(reverse(name, args=[default.pk])))
        assert title in page, name
        assert "Saved Items" not in page, name
