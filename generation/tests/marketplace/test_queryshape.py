"""The marketplace and billing models send one filter document (SecantusDB then uses its
indexes) and get exactly the rows the plain ``$and`` gets."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import LedgerEntry
from generation.models import ConsentRequest, Job


def _lookups(business, model):
    return {
        "consent pair": lambda: list(
            ConsentRequest.objects.filter(business_id=business.pk, model_id=model.pk).values_list(
                "pk", "status"
            )
        ),
        "consent by model and status": lambda: sorted(
            ConsentRequest.objects.filter(
                model_id=model.pk, status__in=["requested", "approved"]
            ).values_list("pk", flat=True)
        ),
        "jobs of the pair": lambda: sorted(
            Job.objects.filter(user_id=business.pk, human_model_id=model.pk).values_list("pk", flat=True)
        ),
        "active jobs of the pair": lambda: sorted(
            Job.objects.filter(user_id=business.pk, human_model_id=model.pk)
            .active()
            .values_list("pk", flat=True)
        ),
        "royalty entries": lambda: sorted(
            LedgerEntry.objects.filter(user_id=model.pk, currency="royalty").values_list("pk", flat=True)
        ),
    }


def test_marketplace_queries_are_merged_and_give_the_same_rows(
    settings, approved, market_business, signed_model, local_model
):
    from generation.services import job_submit

    for prompt in ("Coat", "Scarf"):
        job_submit(
            user=market_business,
            ai_model=local_model,
            prompt=prompt,
            human_model=signed_model,
            category="casual",
        )
    lookups = _lookups(market_business, signed_model)
    with CaptureQueriesContext(connection) as ctx:
        shaped = {name: run() for name, run in lookups.items()}
    assert all("$and" not in query["sql"] for query in ctx.captured_queries)
    assert shaped["consent pair"] == [(approved.pk, "approved")] and len(shaped["jobs of the pair"]) == 2
    assert len(shaped["royalty entries"]) == 2

    settings.QUERY_MERGE_AND = False
    with CaptureQueriesContext(connection) as ctx:
        plain = {name: run() for name, run in lookups.items()}
    assert any("$and" in query["sql"] for query in ctx.captured_queries)
    assert plain == shaped


def test_conditional_updates_and_deletes_are_merged_too(approved):
    """update() and delete() switch to Django's UpdateQuery/DeleteQuery; the shape survives."""
    with CaptureQueriesContext(connection) as ctx:
        changed = ConsentRequest.objects.filter(pk=approved.pk, status="approved").update(message="hi")
        unchanged = ConsentRequest.objects.filter(pk=approved.pk, status="rejected").update(message="no")
        ConsentRequest.objects.filter(pk=approved.pk, status="rejected").delete()
    assert (changed, unchanged) == (1, 0) and ConsentRequest.objects.filter(pk=approved.pk).exists()
    assert ctx.captured_queries and all("$and" not in query["sql"] for query in ctx.captured_queries)
