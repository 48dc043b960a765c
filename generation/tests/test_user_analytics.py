"""My usage page: a date range (7/30/90 days or custom) and the figures read for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.services import credits_charge, credits_refund
from modelsnapper.testing.factories import JobFactory
from modelsnapper.testing.factories.billing import fund

pytestmark = pytest.mark.django_db
URL = reverse("generation:analytics")


def job(user, model, *, days_ago=0, seconds=10, status="completed", outputs=0):
    sent = timezone.now() - timedelta(days=days_ago, minutes=5)
    return JobFactory(
        user=user,
        ai_model=model,
        status=status,
        submitted_at=sent,
        deadline_at=sent,
        completed_at=sent + timedelta(seconds=seconds) if status == "completed" else None,
        outputs=outputs,
    )


@pytest.mark.parametrize("days", [7, 30, 90])
def test_each_preset_range_shows_that_many_days_and_counts_only_jobs_inside_it(
    client, owner, local_model, days
):
    job(owner, local_model, days_ago=days - 1)  # the first day of the range
    job(owner, local_model, days_ago=days)  # the day before it
    client.force_login(owner)

    figures = client.get(URL, {"range": days}).context["analytics"]

    assert len(figures["series"]) == days and figures["series"][-1]["day"] == timezone.localdate()
    assert figures["total"] == 1 and figures["series"][0]["count"] == 1


def test_the_page_defaults_to_the_last_30_days(client, owner, local_model):
    client.force_login(owner)

    response = client.get(URL)

    assert response.status_code == 200 and len(response.context["analytics"]["series"]) == 30


def test_a_custom_range_covers_exactly_its_days(client, owner, local_model):
    today = timezone.localdate()
    job(owner, local_model, days_ago=10)
    job(owner, local_model, days_ago=3)
    client.force_login(owner)

    figures = client.get(
        URL, {"range": "custom", "start": today - timedelta(days=12), "end": today - timedelta(days=5)}
    ).context["analytics"]

    assert [point["day"] for point in figures["series"]][0] == today - timedelta(days=12)
    assert len(figures["series"]) == 8 and figures["total"] == 1


@pytest.mark.parametrize(
    "query, message",
    [
        ({"range": "custom", "start": "2026-05-10", "end": "2026-05-01"}, "on or before the end date"),
        ({"range": "custom", "start": "2026-05-10"}, "both a start and an end date"),
        ({"range": "custom", "start": "2020-01-01", "end": "2026-01-01"}, "at most 366 days"),
        ({"range": "custom", "start": "yesterday", "end": "2026-01-01"}, "Enter a valid date"),
        ({"range": "12"}, "Select a valid choice"),
    ],
)
def test_a_bad_range_is_a_form_error_not_a_500(client, owner, query, message):
    client.force_login(owner)

    response = client.get(URL, query)

    assert response.status_code == 400 and message in response.text
    assert response.context["analytics"] is None


def test_an_end_date_in_the_future_is_refused(client, owner):
    client.force_login(owner)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.get(URL, {"range": "custom", "start": timezone.localdate(), "end": tomorrow})

    assert response.status_code == 400 and "cannot be in the future" in response.text


def test_figures_come_from_my_jobs_and_my_ledger_only(client, owner, stranger, local_model, edit_model):
    fund(owner, 20)
    for n, (model, seconds) in enumerate(
        [(local_model, 10), (local_model, 20), (edit_model, 30), (local_model, 100)]
    ):
        job(owner, model, seconds=seconds, outputs=1)
        credits_charge(user=owner, amount=3, idempotency_key=f"charge:{n}")
    credits_refund(charge_key="charge:0", idempotency_key="refund:0", reason="The model failed")
    job(owner, local_model, days_ago=40, outputs=2)  # outside the range; its images are lifetime ones
    job(owner, local_model, status="failed")
    job(stranger, local_model, outputs=3)
    client.force_login(owner)

    response = client.get(URL, {"range": 30})
    figures = response.context["analytics"]

    assert figures["total"] == 5
    assert figures["models"] == [
        {"name": local_model.name, "count": 4},
        {"name": edit_model.name, "count": 1},
    ]
    assert figures["credits_used"] == 9  # four charges of 3, one refunded
    remaining = figures["remaining"]
    assert remaining["total"] == remaining["allowance"] + remaining["purchased"]
    assert remaining["purchased"] + remaining["allowance"] > 0
    assert figures["lifetime_images"] == 6
    assert figures["times"] == {"count": 4, "average": 40.0, "p95": 100.0}
    page = response.text
    assert "credits used in this period" in page and "<svg" in page and "Generations per day" in page


def test_the_page_makes_the_same_number_of_queries_for_2_or_40_jobs(client, owner, local_model):
    client.force_login(owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"range": 90}).status_code == 200
        return len(captured)

    queries()  # the first page of a session also reads what later pages find cached
    for days_ago in range(2):
        job(owner, local_model, days_ago=days_ago, outputs=1)
    few = queries()
    for days_ago in range(38):
        job(owner, local_model, days_ago=days_ago, outputs=1)

    assert queries() == few
