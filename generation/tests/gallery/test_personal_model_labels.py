"""Jobs made with one of my personal models say which one (review item: history cards said
"My model", the catalog's name for every personal model, instead of the model's own name).

A person may keep several personal models; every job made with one of them runs on the same
catalog entry ("My model", picker value ``my-model:<id>``), so only the personal model's name
tells them apart. A deleted model's jobs say so without its name.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from generation.models import Kind
from generation.training import personal_model_create, personal_model_delete
from modelsnapper.testing.factories import AIModelFactory
from modelsnapper.testing.html import parse
from modelsnapper.testing.isolation import recorder

from .test_history_round_trips import HISTORY_ROUND_TRIPS

HISTORY = reverse("generation:history")
DELETED = "A deleted personal model"


@pytest.fixture
def engine(db):
    """The catalog entry every personal-model job runs on, named as the seed names it."""
    return AIModelFactory(slug="my-model", name="My model", kind=Kind.PERSONAL)


@pytest.fixture
def studio(owner):
    return personal_model_create(user=owner, name="Studio portraits")


@pytest.fixture
def outdoors(owner):
    return personal_model_create(user=owner, name="Outdoors")


@pytest.fixture
def personal_job(make_job, engine):
    """``personal_job(user, personal, **fields)``: a completed job made with ``personal``."""

    def make(user, personal, **fields):
        return make_job(user, ai_model=engine, kind=Kind.PERSONAL, personal_model=personal, **fields)

    return make


def history_rows(client) -> list[tuple[str, str]]:
    """Each list row's prompt and the line under it that says what made the job (without the date)."""
    page = parse(client.get(HISTORY + "?view=list").content.decode())
    return [
        (row.find("a").text, row.find("small", "muted").text.rsplit(" · ", 1)[0])
        for row in page.find_all("li", "gal-row")
    ]


def test_history_rows_name_the_personal_model_each_job_used_and_say_when_it_was_deleted(
    client, owner, studio, outdoors, personal_job, make_job
):
    personal_job(owner, studio, prompt="by the window")
    personal_job(owner, outdoors, prompt="on the beach")
    make_job(owner, prompt="a lighthouse")
    client.force_login(owner)

    assert dict(history_rows(client)) == {
        "by the window": "Studio portraits",
        "on the beach": "Outdoors",
        "a lighthouse": "Local fast · Text to image",
    }

    personal_model_delete(personal=outdoors)
    assert dict(history_rows(client))["on the beach"] == DELETED


def test_history_with_personal_model_jobs_makes_six_round_trips_however_many_jobs_and_filtered_by_model(
    client, owner, studio, outdoors, personal_job, make_job
):
    client.force_login(owner)
    personal_job(owner, studio)
    make_job(owner)
    client.get(HISTORY)  # the first page of a session also loads what the session caches
    urls = {
        "list": f"{HISTORY}?view=list",
        "gallery": f"{HISTORY}?view=gallery",
        "by model": f"{HISTORY}?view=list&model=my-model",
    }

    def round_trips(url: str) -> int:
        with recorder.commands() as commands:
            assert client.get(url).status_code == 200
        return len(commands)

    few = {name: round_trips(url) for name, url in urls.items()}
    for n in range(12):
        personal_job(owner, studio if n % 2 else outdoors)
    many = {name: round_trips(url) for name, url in urls.items()}

    # Issue 17's budget of six: the page without personal-model jobs (HISTORY_ROUND_TRIPS, five)
    # plus one read of the names of every personal model the page shows. Was seven (the jobs'
    # catalog models were read apart from the model filter's choices, and a model filter read
    # its model's id once more).
    assert few == many == {"list": 6, "gallery": 6, "by model": 6}
    assert HISTORY_ROUND_TRIPS + 1 == 6
    assert [label for _, label in history_rows(client)].count("Outdoors") == 6


def test_the_job_page_and_the_image_page_name_the_personal_model(client, owner, studio, personal_job):
    job = personal_job(owner, studio)
    image = job.images.get()
    client.force_login(owner)

    job_page = parse(client.get(reverse("generation:job", args=[job.pk])).content.decode())
    assert job_page.find("h1").text == "Studio portraits"
    assert job_page.find("title").text.startswith("Studio portraits")
    image_page = client.get(reverse("generation:image", args=[image.pk])).content.decode()
    assert "<dd>Studio portraits</dd>" in image_page

    personal_model_delete(personal=studio)
    job_page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert parse(job_page).find("h1").text == DELETED and "Studio" not in job_page
    image_page = client.get(reverse("generation:image", args=[image.pk])).content.decode()
    assert f"<dd>{DELETED}</dd>" in image_page and "Studio" not in image_page


def test_the_create_pages_recent_card_names_the_personal_model(client, owner, studio, personal_job):
    job = personal_job(owner, studio)
    client.force_login(owner)

    page = parse(client.get(reverse("generate")).content.decode())
    card = next(
        card for card in page.find_all("article", "create-card") if card.attrs["id"] == f"job-card-{job.pk}"
    )
    assert card.find("span", "muted").text.startswith("Studio portraits · ")
    fragment = parse(client.get(reverse("generation:job_status", args=[job.pk]) + "?card=1").content.decode())
    assert fragment.find("span", "muted").text.startswith("Studio portraits · ")
