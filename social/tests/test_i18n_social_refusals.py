"""The refusals of follows, comments, likes and saves reach a Spanish reader in Spanish
(issue #15.2): each service's sentences go through gettext, numbers through number_format."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from modelsnapper.testing.factories import UserFactory
from social import services
from social.models import COMMENT_MAX, SaveCollection
from social.services.errors import SocialError
from social.services.follows import AlreadyFollowing
from social.services.likes import AlreadyLiked


@pytest.fixture
def post(db):
    return services.post_create(author=UserFactory(), category="text-post", caption="hola")


def test_following_yourself_is_refused_in_spanish_on_the_page(client, spanish_reader):
    client.force_login(spanish_reader)
    response = client.post(
        reverse("social:follow_toggle", kwargs={"username": spanish_reader.username}), HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert "No puedes seguirte a ti mismo." in body
    assert "follow yourself" not in body


def test_a_reply_nested_too_deep_is_refused_in_spanish_on_the_page(client, spanish_reader, post):
    parent = services.comment_create(author=spanish_reader, post=post, text="1")
    for depth in range(2, 4):
        parent = services.comment_create(author=spanish_reader, post=post, text=str(depth), parent=parent)
    client.force_login(spanish_reader)

    response = client.post(
        reverse("social:comment_create", kwargs={"post_id": post.pk}), {"text": "4", "parent": str(parent.pk)}
    )

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [
        "Las respuestas se pueden anidar como máximo 3 niveles; responde más arriba en la conversación."
    ]


def test_liking_twice_is_refused_in_spanish(spanish_reader, post):
    services.like_add(user=spanish_reader, target=post)

    with translation.override("es"), pytest.raises(SocialError) as refused:
        services.like_add(user=spanish_reader, target=post)

    assert refused.value.message == "Ya te gusta esto."


def test_a_toggle_that_finds_the_like_or_follow_already_there_says_so_in_any_language(spanish_reader, post):
    # The toggles tell "already there" by the refusal's class, not by English words in its message.
    services.like_add(user=spanish_reader, target=post)
    with translation.override("es"), pytest.raises(AlreadyLiked):
        services.like_add(user=spanish_reader, target=post)
    services.follow_create(follower=spanish_reader, following=post.author)
    with translation.override("es"), pytest.raises(AlreadyFollowing) as refused:
        services.follow_create(follower=spanish_reader, following=post.author)

    assert refused.value.message == f"Ya sigues a {post.author.username}."


def test_saving_twice_and_renaming_the_default_collection_are_refused_in_spanish(spanish_reader, post):
    services.save_create(user=spanish_reader, post=post)
    default = SaveCollection.objects.get(user=spanish_reader)

    with translation.override("es"):
        with pytest.raises(SocialError) as twice:
            services.save_create(user=spanish_reader, post=post)
        with pytest.raises(SocialError) as rename:
            services.collection_rename(user=spanish_reader, collection=default, name="Otra")

    assert twice.value.message == "Ya has guardado esta publicación."
    assert rename.value.message == (
        "«Elementos guardados» es donde van las publicaciones guardadas sin colección; "
        "no se le puede cambiar el nombre."
    )


def test_the_refusals_read_as_before_in_english(spanish_reader, post):
    services.save_create(user=spanish_reader, post=post)
    default = SaveCollection.objects.get(user=spanish_reader)

    with pytest.raises(SocialError) as rename:
        services.collection_rename(user=spanish_reader, collection=default, name="Other")
    with pytest.raises(SocialError) as too_long:
        services.comment_create(author=spanish_reader, post=post, text="x" * (COMMENT_MAX + 1))

    assert (
        rename.value.message
        == "“Saved Items” is where posts saved without a collection go; it can't be renamed."
    )
    assert too_long.value.message == "Comments are limited to 1,000 characters."
