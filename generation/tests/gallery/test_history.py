"""History: one row of filters (status, kind, model, dates), list and gallery views, paging, empty states."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from generation.models import Job

from ..helpers import outputs

HISTORY = reverse("generation:history")


def test_an_empty_history_points_to_create(client, owner):
    client.force_login(owner)

    page = client.get(HISTORY)

    assert page.status_code == 200 and "Nothing here yet" in page.text
    assert f'href="{reverse("generate")}"' in page.text and "Create your first image" in page.text
    assert 'id="bulk-form"' not in page.text  # no action bar with nothing to act on


def test_filters_with_no_match_say_so_and_offer_to_clear_them(client, funded, make_job):
    make_job(funded)
    client.force_login(funded)

    page = client.get(HISTORY + "?status=failed")

    assert "No generations match" in page.text and "Clear the filters" in page.text


def test_date_range_keeps_only_jobs_submitted_on_those_days(client, funded, make_job):
    now = timezone.now()
    old = make_job(funded, prompt="old", submitted_at=now - timedelta(days=10))
    recent = make_job(funded, prompt="recent", submitted_at=now - timedelta(days=2))
    today = make_job(funded, prompt="today", submitted_at=now)
    client.force_login(funded)
    day = timezone.localdate

    def shown(query):
        return {job.pk for job in client.get(HISTORY + query).context["page"].jobs}

    assert shown(f"?date_from={day() - timedelta(days=3)}") == {recent.pk, today.pk}
    assert shown(f"?date_to={day() - timedelta(days=2)}") == {old.pk, recent.pk}
    assert shown(f"?date_from={day() - timedelta(days=2)}&date_to={day() - timedelta(days=2)}") == {recent.pk}
    backwards = client.get(HISTORY + f"?date_from={day()}&date_to={day() - timedelta(days=5)}")
    assert backwards.status_code == 200 and "The start date is after the end date." in backwards.text


def test_filters_sit_in_one_form_and_combine(client, funded, make_job, edit_model):
    make_job(funded, status=Job.Status.FAILED, outputs=0)
    edit = make_job(funded, ai_model=edit_model, kind="image-edit")
    client.force_login(funded)

    page = client.get(HISTORY + "?status=completed&kind=image-edit&model=local-edit")

    assert [job.pk for job in page.context["page"].jobs] == [edit.pk]
    form = page.text.split('class="gal-filters"', 1)[1].split("</form>", 1)[0]
    for name in ("status", "kind", "model", "date_from", "date_to"):
        assert f'name="{name}"' in form


def test_gallery_view_shows_every_output_as_a_picture_tile(client, funded, make_job):
    first, second = make_job(funded, outputs=2), make_job(funded, outputs=3)
    client.force_login(funded)

    page = client.get(HISTORY + "?view=gallery")

    tiles = page.text.count('class="gal-tile"')
    assert tiles == 5
    assert [i.pk for i in page.context["page"].images] == [i.pk for i in outputs(second) + outputs(first)]
    assert 'aria-current="page" class="is-current">Gallery' in page.text
    # Switching back keeps the filters and drops the cursor.
    assert "view=list" in client.get(HISTORY + "?view=gallery&status=completed").text


def test_gallery_view_pages_by_job_like_the_list(client, funded, make_job):
    for _ in range(22):
        make_job(funded)
    client.force_login(funded)

    first = client.get(HISTORY + "?view=gallery")
    cursor = first.context["page"].next_cursor
    second = client.get(HISTORY + f"?view=gallery&cursor={cursor}")

    assert len(first.context["page"].images) == 20 and len(second.context["page"].images) == 2
    assert f"view=gallery&amp;cursor={cursor}" in first.text


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_history_costs_the_same_queries_for_two_images_or_eighty(client, funded, stranger, make_job):
    client.force_login(funded)
    make_job(funded, outputs=1)
    make_job(funded, outputs=1)
    client.get(HISTORY)  # the first page of a session also loads what the session caches
    few = {view: _queries(client, HISTORY + f"?view={view}") for view in ("list", "gallery")}

    for _ in range(20):
        make_job(funded, outputs=4)
    many = {view: _queries(client, HISTORY + f"?view={view}") for view in ("list", "gallery")}

    assert many == few
    assert client.get(HISTORY + "?view=gallery").text.count('class="gal-tile"') == 80
