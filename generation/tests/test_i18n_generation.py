"""The create, job and history pages in Spanish (issue #15.2): every string marked in their
templates and forms that an English reader sees is shown translated to a Spanish reader, and an
English reader still gets English.

The strings come from the committed catalog (its references say which template or form marked
them), so a string marked later is checked too, and one left unmarked shows up as English text
the Spanish page still contains.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from modelsnapper.testing.factories import AIModelFactory, JobFactory
from modelsnapper.testing.i18n import assert_translated, pages, shown_text

CREATE_SOURCES = re.compile(
    r"templates/generation/(generate\.html|includes/(generate_form|source_picker|field)\.html)|generation/forms\.py"
)
HISTORY_SOURCES = re.compile(
    r"templates/generation/(history\.html|gallery/includes/\w+\.html)|generation/gallery/(forms|views)\.py"
)
JOB_SOURCES = re.compile(r"templates/generation/(job\.html|includes/job_status\.html)")


def test_the_create_page_shows_a_spanish_reader_no_english_text_it_marks(client, spanish_catalog, readers):
    AIModelFactory(slug="local-fast", name="Local fast", provider="local", credit_cost=2)
    english, spanish = pages(client, reverse("generate"), *readers)

    assert_translated(spanish_catalog, CREATE_SOURCES, english, spanish, at_least=20)
    for text in ("Start from a picture", "Describe one and press Generate.", "Leave empty for a random one."):
        assert text in english
        assert text not in spanish
    assert "Partir de una imagen" in spanish
    assert "Déjalo vacío para usar una al azar." in spanish
    assert "0 créditos" in spanish


def test_the_history_page_shows_a_spanish_reader_no_english_text_it_marks(client, spanish_catalog, readers):
    english_reader, spanish_reader = readers
    for reader in readers:
        JobFactory(user=reader, outputs=2)
    english, spanish = pages(client, reverse("generation:history"), english_reader, spanish_reader)

    assert_translated(spanish_catalog, HISTORY_SOURCES, english, spanish, at_least=12)
    assert "With the selected images" in english and "Any status" in english
    assert "Con las imágenes seleccionadas" in spanish and "Cualquier estado" in spanish


def test_an_empty_history_is_explained_in_spanish(client, spanish_catalog, readers):
    english, spanish = pages(client, reverse("generation:history"), *readers)

    assert "Nothing here yet" in english
    assert "Aún no hay nada" in spanish and "Crea tu primera imagen" in spanish
    assert "Nothing here yet" not in spanish


def test_a_job_page_shows_a_spanish_reader_no_english_text_it_marks(client, spanish_catalog, readers):
    english_reader, spanish_reader = readers
    finished = {"outputs": 1, "credits_charged": 4, "completed_at": timezone.now()}
    job_en = JobFactory(user=english_reader, **finished)
    job_es = JobFactory(user=spanish_reader, **finished)
    client.force_login(english_reader)
    english = shown_text(client.get(job_en.get_absolute_url()))
    client.force_login(spanish_reader)
    spanish = shown_text(client.get(job_es.get_absolute_url()))

    assert_translated(spanish_catalog, JOB_SOURCES, english, spanish, at_least=8)
    assert "4 credits" in english
    assert "4 créditos" in spanish
    assert "Completada" in spanish  # the status badge (a generation's status, feminine in Spanish)


def test_a_too_long_prompt_is_refused_in_spanish_with_spanish_numbers(client, readers):
    from generation.models import PROMPT_MAX

    AIModelFactory(slug="local-fast", name="Local fast", provider="local", credit_cost=2)
    client.force_login(readers[1])

    response = client.post(reverse("generate"), {"prompt": "x" * (PROMPT_MAX + 1), "model": "local-fast"})

    page = shown_text(response)
    assert "El prompt tiene" in page
    assert "Acórtalo en 1." in page


IMAGE_SOURCES = re.compile(r"templates/generation/(image\.html|includes/quality_score\.html)")


def test_an_image_page_shows_a_spanish_reader_no_english_text_it_marks(client, spanish_catalog, readers):
    english_reader, spanish_reader = readers
    image_en = JobFactory(user=english_reader, outputs=1).images.get()
    image_es = JobFactory(user=spanish_reader, outputs=1).images.get()
    client.force_login(english_reader)
    english = shown_text(client.get(reverse("generation:image", args=[image_en.pk])))
    client.force_login(spanish_reader)
    spanish = shown_text(client.get(reverse("generation:image", args=[image_es.pk])))

    assert_translated(spanish_catalog, IMAGE_SOURCES, english, spanish, at_least=10)
    assert "<h1>Generated image</h1>" in english
    assert "<h1>Imagen generada</h1>" in spanish


GALLERY_SOURCES = re.compile(
    r"templates/generation/gallery/(boards|images)\.html|generation/gallery/views\.py"
)


@pytest.mark.parametrize("page", ["generation:boards", "generation:favourites"])
def test_the_boards_and_starred_pages_show_a_spanish_reader_no_english_text_they_mark(
    client, spanish_catalog, readers, page
):
    english, spanish = pages(client, reverse(page), *readers)

    assert_translated(spanish_catalog, GALLERY_SOURCES, english, spanish, at_least=3)


ANALYTICS_SOURCES = re.compile(r"templates/generation/(analytics\.html|includes/analytics_range\.html)")


def test_the_usage_page_shows_a_spanish_reader_no_english_text_it_marks(client, spanish_catalog, readers):
    for reader in readers:
        JobFactory(user=reader, outputs=1, completed_at=timezone.now())
    english, spanish = pages(client, reverse("generation:analytics"), *readers)

    assert_translated(spanish_catalog, ANALYTICS_SOURCES, english, spanish, at_least=8)
    assert "generation in this period" in english
    assert "generación en este periodo" in spanish


def test_a_custom_range_the_wrong_way_round_is_refused_in_spanish(client, readers):
    client.force_login(readers[1])

    page = shown_text(
        client.get(
            reverse("generation:analytics"), {"range": "custom", "start": "2026-05-10", "end": "2026-05-01"}
        )
    )

    assert "La fecha de inicio debe ser igual o anterior a la de fin." in page


def test_the_verify_page_speaks_the_visitors_language(client, db):
    spanish = shown_text(client.get(reverse("verify"), HTTP_ACCEPT_LANGUAGE="es"))
    english = shown_text(client.get(reverse("verify"), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Verificar credenciales de contenido" in spanish and "Verify Content Credentials" not in spanish
    assert "Verify Content Credentials" in english
