"""The estimated provider cost of generations has one rule (``selectors.provider_cost_cents``):
the staff analytics page (per model) and the usage summary (per provider) agree on it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

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


def test_fractional_cent_prices_are_summed_exactly_and_each_figure_rounded_once_half_up(
    client, staff, owner, replicate_model
):
    """The seed's prices are fractions of a cent (0.3 ¢ a flux-schnell image, 2.5 ¢ a flux-dev
    one). Ten 0.3 ¢ images cost 3 ¢, not 0 (each price cut to whole cents first); three 2.5 ¢
    images cost 7.5 ¢, shown $0.08 (half up: a half cent is billed as a cent, as payment
    providers round). Every figure is the exact sum rounded once: the total of 0.3×10 + 2.5×3
    + 0.4×2 = 11.3 ¢ is $0.11, though its rows, each rounded, read 3 + 8 + 1."""
    replicate_model.default_parameters = {"cost_cents": 0.3}
    replicate_model.save()
    dev = AIModelFactory(name="Flux dev", default_parameters={"cost_cents": 2.5})
    edit = AIModelFactory(name="Edit", default_parameters={"cost_cents": "0.4"})  # typed as text
    for model, count in ((replicate_model, 10), (dev, 3), (edit, 2)):
        for _ in range(count):
            job(owner, model)
    client.force_login(staff)

    response = client.get(reverse("generation:staff_analytics"), {"range": 7})
    staff_figures = response.context["analytics"]
    summary = selectors.usage_summary(Job.objects.all())

    assert {row["name"]: row["cost_cents"] for row in staff_figures["by_model"]} == {
        "Replicate fast": 3,
        "Flux dev": 8,
        "Edit": 1,
    }
    assert staff_figures["provider_cost_cents"] == 11
    assert summary["providers"] == [{"name": "replicate", "jobs": 15, "cost_cents": 11}]
    page = response.content.decode()
    assert "<td>Flux dev</td><td>3</td><td>$0.08</td>" in page
    assert "<strong>$0.11</strong> estimated provider cost" in page


def test_a_finished_job_records_its_fractional_provider_cost_exactly(client, funded, local_model):
    """What a job cost at the provider is kept with it, fractions of a cent included (a whole
    cents field stored the seed's 0.3 ¢ as 0)."""
    local_model.default_parameters = {"cost_cents": 0.3}
    local_model.save()
    client.force_login(funded)

    form = {"prompt": "a red fox", "model": "local-fast", "aspect_ratio": "1:1", "quality": "standard"}
    assert client.post("/generate/", {**form, "num_outputs": "1"}).status_code == 302

    job = Job.objects.get()
    assert job.status == Job.Status.COMPLETED
    assert job.provider_stats.cost_cents == Decimal("0.3")
