"""My usage and the staff analytics page (seed 004)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from modelsnapper.testing.factories import JobFactory


def make(user, model, *, days_ago=0, status="completed", charged=2, refunded=0, provider="local"):
    now = timezone.now() - timedelta(days=days_ago)
    return JobFactory(
        user=user,
        ai_model=model,
        prompt="x",
        deadline_at=now,
        submitted_at=now,
        status=status,
        credits_charged=charged,
        credits_refunded=refunded,
        provider=provider,
    )


def test_my_usage_counts_days_credits_success_and_models(client, owner, local_model, edit_model, stranger):
    make(owner, local_model)
    make(owner, local_model, days_ago=2)
    make(owner, edit_model, status="failed", refunded=2, days_ago=2)
    make(owner, local_model, days_ago=40)  # outside the window
    make(stranger, local_model)
    client.force_login(owner)

    # The page reads credits from the ledger now (test_user_analytics covers them); the job counts stay.
    summary = client.get(reverse("generation:analytics")).context["analytics"]

    assert summary["total"] == 3
    assert len(summary["series"]) == 30
    assert [p["count"] for p in summary["series"]][-3:] == [2, 0, 1]
    assert {m["name"]: m["count"] for m in summary["models"]} == {"Local fast": 2, "Local edit": 1}


def test_staff_analytics_covers_everyone_and_is_staff_only(client, owner, stranger, staff, replicate_model):
    replicate_model.default_parameters = {"cost_cents": 3}
    replicate_model.save()
    make(owner, replicate_model, provider="replicate")
    make(stranger, replicate_model, provider="replicate", status="expired", refunded=2)

    client.force_login(stranger)
    assert client.get(reverse("generation:staff_analytics")).status_code == 302
    client.force_login(staff)
    response = client.get(reverse("generation:staff_analytics"))

    summary = response.context["summary"]
    assert summary["total"] == 2 and summary["refunds"] == 1 and summary["failed"] == 1
    assert summary["providers"] == [{"name": "replicate", "jobs": 2, "cost_cents": 3}]
    assert "Per provider" in response.content.decode()


def test_provider_cost_is_summed_in_integer_cents_and_shown_as_money(client, owner, staff, replicate_model):
    replicate_model.default_parameters = {"cost_cents": 250}
    replicate_model.save()
    for _ in range(3):
        make(owner, replicate_model, provider="replicate")
    client.force_login(staff)

    response = client.get(reverse("generation:staff_analytics"))

    cost = response.context["summary"]["providers"][0]["cost_cents"]
    assert cost == 750 and isinstance(cost, int)
    assert "$7.50" in response.content.decode()
