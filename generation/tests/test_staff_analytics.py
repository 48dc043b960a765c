"""System analytics for staff: a range, figures from real jobs and payments, SVG trends."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.models import Payment
from modelsnapper.charts import bar_chart, line_chart
from modelsnapper.testing.factories import JobFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("generation:staff_analytics")
PAYMENT_IDS = itertools.count(1)


def job(user, model, *, days_ago=0, status="completed", provider="local"):
    sent = timezone.now() - timedelta(days=days_ago, minutes=5)
    return JobFactory(
        user=user, ai_model=model, status=status, provider=provider, submitted_at=sent, deadline_at=sent
    )


def payment(user, cents, *, refunded=0, days_ago=0):
    return Payment.objects.create(
        user=user,
        external_id=f"cs_test_{next(PAYMENT_IDS)}",
        amount_cents=cents,
        refunded_cents=refunded,
        status=Payment.Status.REFUNDED if refunded else Payment.Status.COMPLETED,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def test_only_staff_reach_system_analytics(client, owner, staff):
    client.force_login(owner)
    assert client.get(URL).status_code == 302  # to the admin sign-in: nothing shown

    client.force_login(staff)
    assert client.get(URL).status_code == 200


def test_figures_count_users_generations_money_and_cost_inside_the_range(
    client, staff, owner, stranger, local_model, replicate_model
):
    replicate_model.default_parameters = {"cost_cents": 250}
    replicate_model.save()
    job(owner, replicate_model, provider="replicate")
    job(owner, replicate_model, provider="replicate", status="failed")  # no output, no cost
    job(stranger, local_model, days_ago=3)
    job(stranger, local_model, days_ago=20)  # outside a 7-day range
    payment(owner, 900)
    payment(stranger, 500, refunded=500, days_ago=2)
    payment(owner, 10_000, days_ago=30)  # outside
    client.force_login(staff)

    figures = client.get(URL, {"range": 7}).context["analytics"]

    assert figures["jobs_total"] == 3 and figures["users_active"] == 2
    assert figures["users_new"] == figures["users_total"] >= 3  # everyone here joined today
    assert {row["status"]: row["jobs"] for row in figures["by_status"]} == {"Completed": 2, "Failed": 1}
    assert {row["name"]: row["jobs"] for row in figures["by_provider"]} == {"local": 1, "replicate": 2}
    assert figures["provider_cost_cents"] == 250 and isinstance(figures["provider_cost_cents"], int)
    assert figures["revenue_cents"] == 1400 and figures["refunded_cents"] == 500
    assert len(figures["daily"]) == 7 and figures["daily"][-1]["revenue_cents"] == 900


def test_the_page_draws_each_daily_trend_as_an_svg_with_a_point_per_day(client, staff, owner, local_model):
    job(owner, local_model)
    client.force_login(staff)

    page = client.get(URL, {"range": 30}).text

    assert page.count('<svg class="chart ') == 3
    assert "<title>Generations per day</title>" in page and "<polyline" in page
    line = re.search(r'<svg class="chart chart-line".*?</svg>', page, re.S).group(0)
    assert line.count("<circle") == 30
    assert "<table" in page  # the same figures for those who cannot see the chart


def test_a_chart_puts_one_bar_per_point_scaled_to_the_largest():
    svg = bar_chart([("Mon", 1), ("Tue", 4), ("Wed", 0)], title="Jobs <per> day")

    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert (
        len(heights) == 3 and heights[1] == max(heights) and heights[2] == 0 and heights[1] == 4 * heights[0]
    )
    assert "<title>Jobs &lt;per&gt; day</title>" in svg and "<title>Tue: 4</title>" in svg
    assert line_chart([], title="Nothing").count("<polyline") == 0


def test_a_bad_range_is_a_form_error(client, staff):
    client.force_login(staff)

    response = client.get(URL, {"range": "custom", "start": "2026-03-02", "end": "2026-03-01"})

    assert response.status_code == 400 and "on or before the end date" in response.text


def test_the_page_makes_the_same_number_of_queries_for_3_or_40_jobs(client, staff, local_model):
    client.force_login(staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"range": 90}).status_code == 200
        return len(captured)

    queries()  # the first page of a session also reads what later pages find cached
    for days_ago in range(3):
        job(UserFactory(), local_model, days_ago=days_ago)
    few = queries()
    for days_ago in range(37):
        job(UserFactory(), local_model, days_ago=days_ago)

    assert queries() == few


def test_the_admin_index_links_to_system_analytics(client, staff):
    client.force_login(staff)

    assert f'href="{URL}"' in client.get(reverse("admin:index")).text
