"""Groups, stories, close friends, saved posts and articles in Spanish (issue #15.2).

Each page is rendered for an English reader and a Spanish reader with the same kind of data;
every string its templates mark (read from the committed catalog, so a string marked later is
checked too) that the English page shows whole is shown in Spanish on the Spanish page, and its
English form is gone. The refusals the social services raise reach a Spanish reader in Spanish.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from billing.models import Wallet
from modelsnapper.testing.factories import ArticleFactory, PostFactory, UserFactory
from modelsnapper.testing.factories.social import group_with_members
from modelsnapper.testing.i18n import assert_translated, page_after_post, pages, pages_of
from social import services
from social.models import Post

GROUP_SOURCES = re.compile(r"templates/social/group\w*\.html")
STORY_SOURCES = re.compile(r"templates/social/(stor\w+|close_friends)\.html")
SAVED_SOURCES = re.compile(r"templates/social/(saved|save_form|collection_\w+)\.html")
ARTICLE_SOURCES = re.compile(r"templates/social/article\w*\.html")


def each_readers_group(readers):
    """A group per reader, made by that reader (its admin) and joined by one other person."""
    return [group_with_members(creator=reader, members=[UserFactory()], name="Club") for reader in readers]


def test_the_groups_page_shows_a_spanish_reader_no_english_text_it_marks(client, spanish_catalog, readers):
    each_readers_group(readers)
    english, spanish = pages(client, reverse("social:groups"), *readers)

    assert_translated(spanish_catalog, GROUP_SOURCES, english, spanish, at_least=5)
    assert "2 members" in english and "New group" in english
    assert "2 miembros" in spanish and "Nuevo grupo" in spanish
    assert "2 members" not in spanish


def test_a_group_page_shows_its_admin_in_spanish_no_english_text_it_marks(client, spanish_catalog, readers):
    groups = each_readers_group(readers)
    english, spanish = pages_of(client, readers, [group.get_absolute_url() for group in groups])

    assert_translated(spanish_catalog, GROUP_SOURCES, english, spanish, at_least=8)
    assert "Requests to join" in english and "0 posts" in english
    assert "Solicitudes para unirse" in spanish and "0 publicaciones" in spanish


@pytest.mark.parametrize("page", ["social:group_members", "social:group_edit", "social:group_deactivate"])
def test_a_groups_members_edit_and_deactivate_pages_are_in_spanish(client, spanish_catalog, readers, page):
    groups = each_readers_group(readers)
    english, spanish = pages_of(client, readers, [reverse(page, args=[group.slug]) for group in groups])

    assert_translated(spanish_catalog, GROUP_SOURCES, english, spanish, at_least=1)


def test_the_deactivation_page_counts_members_in_a_whole_spanish_sentence(client, readers):
    groups = each_readers_group(readers)
    english, spanish = pages_of(
        client, readers, [reverse("social:group_deactivate", args=[g.slug]) for g in groups]
    )

    assert "Its 2 members see a notice in their groups list." in english
    assert "Sus 2 miembros verán un aviso en su lista de grupos." in spanish


def test_stories_a_story_and_the_close_friends_list_are_in_spanish(client, spanish_catalog, readers):
    stories = [
        services.story_create(author=reader, kind="text", text="Hola", ai_generated=True)
        for reader in readers
    ]
    for urls in ([reverse("social:stories")] * 2, [reverse("social:close_friends")] * 2):
        english, spanish = pages_of(client, readers, urls)

        assert_translated(spanish_catalog, STORY_SOURCES, english, spanish, at_least=3)
    # Each author's own story: who viewed it (nobody yet), counted with a Spanish plural.
    english, spanish = pages_of(client, readers, [story.get_absolute_url() for story in stories])

    assert_translated(spanish_catalog, STORY_SOURCES, english, spanish, at_least=3)
    assert "0 views" in english and "Only you see who viewed your story." in english
    assert "0 visualizaciones" in spanish and "Solo tú ves quién ha visto tu historia." in spanish
    assert "Generada por IA" in spanish and "AI-generated" not in spanish


def test_saved_posts_and_a_collections_pages_are_in_spanish(client, spanish_catalog, readers):
    collections = []
    for reader in readers:
        save = services.save_create(user=reader, post=PostFactory(), collection_name="Ideas")
        collections.append(save.collection)
    english, spanish = pages(client, reverse("social:saved"), *readers)
    assert_translated(spanish_catalog, SAVED_SOURCES, english, spanish, at_least=1)
    for page in ("social:saved_collection", "social:collection_edit", "social:collection_delete"):
        english, spanish = pages_of(client, readers, [reverse(page, args=[c.pk]) for c in collections])

        assert_translated(spanish_catalog, SAVED_SOURCES, english, spanish, at_least=1)
    assert "The 1 post saved in it stays saved: it moves to" in english
    assert "1 publicación guardada en ella sigue guardada: pasa a" in spanish


def test_the_default_collection_is_named_in_the_readers_language_and_the_owners_own_as_written(
    client, readers
):
    collections = []
    for reader in readers:
        services.save_create(user=reader, post=PostFactory())
        collections.append(
            services.save_create(user=reader, post=PostFactory(), collection_name="Ideas").collection
        )
    english, spanish = pages(client, reverse("social:saved"), *readers)

    assert ">Saved Items <" in english and ">Ideas <" in english
    assert ">Elementos guardados <" in spanish and ">Ideas <" in spanish and "Saved Items" not in spanish
    english, spanish = pages_of(
        client, readers, [reverse("social:collection_delete", args=[c.pk]) for c in collections]
    )
    assert "it moves to “Saved Items”." in english
    assert "pasa a «Elementos guardados»." in spanish


def test_articles_are_listed_in_spanish_with_spanish_dates(client, spanish_catalog, readers):
    ArticleFactory(status="published", published_at=datetime(2026, 5, 3, 12, tzinfo=UTC), title="Notas")
    english, spanish = pages(client, reverse("social:articles"), *readers)

    assert_translated(spanish_catalog, ARTICLE_SOURCES, english, spanish, at_least=1)
    assert "May 3, 2026" in english
    assert "3 de mayo de 2026" in spanish and "May 3, 2026" not in spanish


def test_joining_a_group_twice_is_refused_in_spanish(client, spanish_reader):
    group = group_with_members(creator=UserFactory(), name="Club", join_approval_required=True)
    services.group_join(user=spanish_reader, group=group)
    page = page_after_post(client, spanish_reader, reverse("social:group_join", args=[group.slug]))

    assert "Tu solicitud para unirte está esperando aprobación." in page
    assert "Your request to join is waiting for approval." not in page


def test_adding_a_stranger_to_close_friends_is_refused_in_spanish(client, spanish_reader):
    stranger = UserFactory(username="stranger")
    page = page_after_post(client, spanish_reader, reverse("social:close_friend_toggle", args=["stranger"]))

    assert "Solo puedes añadir a personas que sigues o que te siguen, y stranger no es una de ellas." in page
    assert stranger.username in page and "you and stranger don't" not in page


def test_the_dashboard_counts_a_posts_views_and_likes_and_dates_the_reset_in_the_readers_language(
    client, readers
):
    for reader in readers:
        post = PostFactory(author=reader)
        Post.objects.filter(pk=post.pk).update(views_count=1, likes_count=1)
        Wallet.objects.update_or_create(
            user=reader, defaults={"period_end": datetime(2026, 6, 15, 12, tzinfo=UTC)}
        )
    english, spanish = pages(client, reverse("social:dashboard"), *readers)

    assert "1 view · 1 like" in english and "(resets June 15)" in english
    assert "1 visualización · 1 me gusta" in spanish and "15 de junio" in spanish
