"""Feeds, posts, comments, people, search and notifications in Spanish (issue #15.2).

Each page is rendered for an English reader and a Spanish reader with the same data; every
string its templates mark (read from the committed catalog, so a string marked later is checked
too) that the English page shows whole is shown in Spanish on the Spanish page, and its English
form is gone. Messages, form labels and errors written in Python reach a Spanish reader in Spanish.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from modelsnapper.testing.factories import PostFactory, UserFactory
from modelsnapper.testing.i18n import assert_translated, page_after_post, page_for, pages, read_in, shown_text
from social import services

POST_SOURCES = re.compile(
    r"templates/social/(_layout|post_detail|includes/(post_card|like_button|save_button|comment\w*))\.html"
)
FEED_SOURCES = re.compile(
    r"templates/social/(_layout|feed|includes/(post_tile|post_items|like_button|save_button|load_more))\.html"
)
PROFILE_SOURCES = re.compile(
    r"templates/social/(profile_posts_page|includes/(profile_posts|follow_button|post_tile))\.html"
)
SEARCH_SOURCES = re.compile(r"templates/social/search\.html|social/search\.py")
NOTIFICATION_SOURCES = re.compile(r"templates/social/(notifications|includes/notification_items)\.html")
FORM_SOURCES = re.compile(r"templates/social/post_form\.html|social/forms\.py|social/models\.py")


@pytest.fixture
def commented_post(db):
    """Someone else's public post with one comment, which both readers may see and act on."""
    post = PostFactory(caption="Sunset at the pier")
    services.comment_create(author=UserFactory(), post=post, text="Lovely light")
    return post


def test_a_post_page_shows_a_spanish_reader_no_english_text_it_marks(
    client, spanish_catalog, readers, commented_post
):
    english, spanish = pages(client, commented_post.get_absolute_url(), *readers)

    assert_translated(spanish_catalog, POST_SOURCES, english, spanish, at_least=10)
    for text in ("1 comment", "Comments (1)", "Save to a collection", "0 likes", "No comments yet."):
        assert text not in spanish
    assert "1 comment" in english and "Comments (1)" in english
    assert "1 comentario" in spanish and "Comentarios (1)" in spanish
    assert "Guardar en una colección" in spanish and "0 me gusta" in spanish
    assert re.search(r"hace \d+", spanish)  # "hace 0 minutos", not "0 minutes ago"
    assert "Sunset at the pier" in spanish and "Lovely light" in spanish  # what people wrote stays


def test_the_explore_feed_shows_a_spanish_reader_no_english_text_it_marks(client, spanish_catalog, readers):
    PostFactory(caption="A quiet morning")
    english, spanish = pages(client, reverse("social:explore"), *readers)

    assert_translated(spanish_catalog, FEED_SOURCES, english, spanish, at_least=8)
    assert "New post" in english and "Trending" in english
    assert ">Publicar</a>" in spanish and "Tendencias" in spanish and "Etiquetas" in spanish
    # Category tabs are the model's choices, translated when shown.
    assert "Image and text" in english and "Imagen y texto" in spanish
    assert "Image and text" not in spanish


def test_a_profile_counts_posts_and_followers_in_spanish_plurals(client, spanish_catalog, readers):
    person = UserFactory(username="marta")
    PostFactory(author=person)
    services.follow_create(follower=UserFactory(), following=person)
    url = reverse("social:profile_posts", args=[person.username])
    english, spanish = pages(client, url, *readers)

    assert_translated(spanish_catalog, PROFILE_SOURCES, english, spanish, at_least=3)
    assert "<strong>1</strong> post" in english and "1 follower" in english
    assert "<strong>1</strong> publicación" in spanish and "1 seguidor" in spanish
    assert "Bloquear" in spanish and "Denunciar" in spanish and "Seguir" in spanish


def test_search_tabs_and_the_empty_result_are_whole_spanish_sentences(client, spanish_catalog, readers):
    english, spanish = pages(client, reverse("social:search") + "?q=zebra&kind=people", *readers)

    assert_translated(spanish_catalog, SEARCH_SOURCES, english, spanish, at_least=4)
    assert "No people match “zebra”." in english
    assert "Ninguna persona coincide con «zebra»." in spanish
    assert "Personas" in spanish and "Imágenes" in spanish


def test_the_notifications_page_is_in_spanish(client, spanish_catalog, readers):
    for reader in readers:
        services.follow_create(follower=UserFactory(), following=reader)
    english, spanish = pages(client, reverse("social:notifications"), *readers)

    assert_translated(spanish_catalog, NOTIFICATION_SOURCES, english, spanish, at_least=4)
    assert "1 unread" in english and "1 sin leer" in spanish
    assert "Marcar todo como leído" in spanish


def test_the_new_post_form_labels_choices_and_errors_reach_a_spanish_reader_in_spanish(
    client, spanish_catalog, readers
):
    english_reader, spanish_reader = readers
    english, spanish = pages(client, reverse("social:post_create"), *readers)

    assert_translated(spanish_catalog, FORM_SOURCES, english, spanish, at_least=10)
    assert (
        "Tipo de publicación" in spanish and "Quién puede verlo" in spanish and "Solo seguidores" in spanish
    )
    client.force_login(spanish_reader)
    refused = shown_text(
        client.post(
            reverse("social:post_create"),
            {
                "category": "text-post",
                "caption": "",
                "title": "",
                "visibility": "public",
                "status": "published",
            },
        )
    )
    assert "Escribe algo para una publicación de texto." in refused
    assert "Write something for a text post." not in refused
    assert not spanish_reader.posts.exists()


def test_a_spanish_reader_is_told_in_spanish_that_they_blocked_someone(client, spanish_reader):
    person = UserFactory(username="pesado")
    page = page_after_post(client, spanish_reader, reverse("social:block_toggle", args=[person.username]))

    assert "Has bloqueado a pesado. Ya no puede verte, seguirte ni comentar en tus publicaciones." in page
    assert "You blocked" not in page


def test_marking_notifications_read_counts_them_in_a_spanish_plural(client, spanish_reader):
    for _ in range(2):
        services.follow_create(follower=UserFactory(), following=spanish_reader)
    page = page_after_post(client, spanish_reader, reverse("social:notification_read_all"))

    assert "2 notificaciones marcadas como leídas." in page


def test_saving_a_post_already_saved_leaves_the_button_saved_whatever_language_the_refusal_is_in(
    client, spanish_reader, commented_post
):
    """The button shows what is stored, not a guess from the refusal's English wording."""
    services.save_create(user=spanish_reader, post=commented_post)
    client.force_login(spanish_reader)

    response = client.post(reverse("social:post_save", args=[commented_post.pk]), HTTP_HX_REQUEST="true")

    assert 'aria-pressed="true">Guardado ✓</button>' in shown_text(response)


def test_a_notice_with_a_fixed_sentence_is_read_in_the_readers_language(client, spanish_reader):
    fan = UserFactory(username="lucia")
    services.follow_create(follower=fan, following=spanish_reader)
    services.like_toggle(user=fan, target=PostFactory(author=spanish_reader))
    page = page_for(client, spanish_reader, reverse("social:notifications"))

    assert "lucia ha empezado a seguirte" in page
    assert "A lucia le gusta tu publicación" in page
    assert "started following you" not in page and "liked your post" not in page


def test_a_notice_whose_text_is_not_a_fixed_sentence_is_shown_as_stored(client, spanish_reader):
    """Only an exact stored English sentence is rewritten: anything else is never given one."""
    fan = UserFactory(username="lucia")
    services.notification_create(
        recipient=spanish_reader, kind="follow", actor=fan, text="lucia started following you again"
    )
    page = page_for(client, spanish_reader, reverse("social:notifications"))

    assert "lucia started following you again" in page


def test_the_notification_poll_answers_afresh_after_the_reader_switches_language(client, readers):
    """The ETag names the language: a list the browser holds in English is not 'not modified'
    for a reader who now reads Spanish (the browser would swap its English copy back in)."""
    english_reader, _spanish_reader = readers
    services.follow_create(follower=UserFactory(), following=english_reader)
    client.force_login(english_reader)
    url = reverse("social:notifications") + "?live=1"
    english_tag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=english_tag).status_code == 304

    read_in(english_reader, "es")
    again = client.get(url, HTTP_IF_NONE_MATCH=english_tag)

    assert again.status_code == 200
    assert "Marcar como leída" in shown_text(again)


def test_the_digest_email_is_written_in_the_recipients_language(readers, settings, mailoutbox):
    """Digests are sent by the beat task, outside any request: the recipient's saved language
    decides, not the language the sending process happens to be in."""
    from social.digests import digest_set_frequency, digests_send

    settings.SITE_URL = "https://modelsnapper.example"
    english_reader, spanish_reader = readers
    fan = UserFactory(username="lucia")
    for reader in readers:
        digest_set_frequency(user=reader, frequency="daily")
        services.follow_create(follower=fan, following=reader)

    mailoutbox.clear()  # the follow notices' own e-mails

    digests_send(now=timezone.now() + timedelta(hours=1))

    by_recipient = {message.to[0]: message for message in mailoutbox}
    spanish = by_recipient[spanish_reader.email]
    assert spanish.subject == "Tu resumen diario: 1 notificación sin leer"
    assert "lucia ha empezado a seguirte" in spanish.body and "Hola, " in spanish.body
    assert '<html lang="es">' in spanish.alternatives[0][0]
    english = by_recipient[english_reader.email]
    assert english.subject == "Your daily digest: 1 unread notification"
    assert "lucia started following you" in english.body


def test_a_refused_video_is_explained_to_a_spanish_reader_in_spanish(client, spanish_reader):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(spanish_reader)
    not_a_video = SimpleUploadedFile("clip.mp4", b"just some text, not a video", content_type="video/mp4")

    page = shown_text(
        client.post(
            reverse("social:post_create"),
            {"category": "normal-video", "media": not_a_video, "visibility": "public", "status": "published"},
        )
    )

    assert "Sube un vídeo MP4 o WebM." in page
    assert not spanish_reader.posts.exists()


def test_counts_are_grouped_the_way_each_readers_locale_writes_numbers(client, readers, commented_post):
    from social.models import Post

    Post.objects.filter(pk=commented_post.pk).update(views_count=12345)
    english, spanish = pages(client, commented_post.get_absolute_url(), *readers)

    # Each reader's visit counts one more view.
    assert re.search(r"12,34\d views", english)
    assert re.search(r"12\u00a034\d visualizaciones", spanish)  # Spanish groups with a no-break space


def test_a_notice_e_mail_is_written_in_the_recipients_language(readers, mailoutbox):
    english_reader, spanish_reader = readers
    fan = UserFactory(username="lucia")
    for reader in readers:
        services.follow_create(follower=fan, following=reader)

    by_recipient = {message.to[0]: message for message in mailoutbox}

    spanish = by_recipient[spanish_reader.email]
    assert spanish.subject == "lucia ha empezado a seguirte"
    assert "Elige qué correos recibes:" in spanish.body
    english = by_recipient[english_reader.email]
    assert english.subject == "lucia started following you"
    assert "Change which e-mails you get:" in english.body
