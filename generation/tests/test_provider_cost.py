"""The estimated provider cost of generations has one rule (``selectors.provider_cost_cents``):
the staff analytics page (per model) and the usage summary (per provider) agree on it."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from generation import selectors
from generation.models import Job
from modelsnapper.testing.factories import AIModelFactory, JobFactory


def job(user, model, *, status="completed", provider="replicate"):
    sent = timezone.now() - timedelta(minutes=5)
    return JobFactory(
        user=user, ai_model=model, status=status, provider=provider, submitted_at=sent, deadline_at=sent
    )


def test_both_analytics_pages_cost_only_completed_generations_at_their_catalog_price(
    client, staff, owner, replicate_model
):
    replicate_model.default_parameters = {"cost_cents": 250}
    replicate_model.save()
    typo = AIModelFactory(name="Typo", default_parameters={"cost_cents": "two"})  # a bad value costs 0
    for status in ("completed", "completed", "failed", "canceled"):
        job(owner, replicate_model, status=status)
    job(owner, typo)
    client.force_login(staff)

    staff_figures = client.get(reverse("generation:staff_analytics"), {"range": 7}).context["analytics"]
    summary = selectors.usage_summary(Job.objects.all())

    assert staff_figures["provider_cost_cents"] == 500
    assert {row["name"]: row["cost_cents"] for row in staff_figures["by_model"]} == {
        "Replicate fast": 500,
        "Typo": 0,
    }
    assert summary["providers"] == [{"name": "replicate", "jobs": 5, "cost_cents": 500}]
