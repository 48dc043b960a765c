"""Reads for generation pages: history, lineage, queue position, feed, analytics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from generation.models import AIModel, FeedExample, Image, Job, Kind, PersonalModel
from modelsnapper.ids import object_id_or_404
from modelsnapper.paging import keyset_page

PAGE_SIZE = 20


def job_for_user(user, job_id) -> Job:
    """The user's job, or 404 (foreign and malformed ids look the same)."""
    job = (
        Job.objects.prefetch_related("ai_model", "source_image")
        .filter(pk=object_id_or_404(job_id), user_id=user.pk, deleted_at=None)
        .first()
    )
    if job is None:
        raise Http404("No such generation.")
    return job


def image_for_user(user, image_id) -> Image:
    image = Image.objects.shown().filter(pk=object_id_or_404(image_id), user_id=user.pk).first()
    if image is None:
        raise Http404("No such image.")
    return image


def image_visible_to(user, image_id) -> Image:
    """An image its owner may see, or anyone once it is public (feed examples)."""
    image = Image.objects.shown().filter(pk=object_id_or_404(image_id)).first()
    if image is None or not (image.is_public or (user.is_authenticated and image.user_id == user.pk)):
        raise Http404("No such image.")
    return image


def active_models(kind: str | None = None) -> QuerySet[AIModel]:
    models = AIModel.objects.filter(is_active=True)
    if kind:
        models = models.filter(kind=kind)
    return models


def queue_position(job: Job) -> int | None:
    if job.status != Job.Status.PENDING:
        return None
    return Job.objects.filter(status=Job.Status.PENDING, pk__lt=job.pk).count() + 1


def timeline(job: Job):
    return list(job.events.all())


@dataclass
class HistoryPage:
    jobs: list[Job]
    next_cursor: str | None

    @property
    def images(self) -> list[Image]:
        """The page's outputs, newest job first: what the history's gallery view shows."""
        return [image for job in self.jobs for image in getattr(job, "outputs", [])]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def catalog() -> list[AIModel]:
    """Every catalog model, retired ones included, in the catalog's order, in one read.

    The catalog is a short list staff curate, and a job's model is never deleted (PROTECT),
    so a page that reads it once (the history's model filter) can name every job's model and
    resolve a filter's slug from it instead of reading models again.
    """
    return list(AIModel.objects.all())


def history(
    user,
    *,
    status: str = "",
    kind: str = "",
    model: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    cursor: str = "",
    page_size: int = PAGE_SIZE,
    models: Iterable[AIModel] | None = None,
) -> HistoryPage:
    """My jobs (not the deleted ones), newest first, keyset-paginated on the (indexed) id.

    ``models``: the catalog (:func:`catalog`) when the caller has read it already; the jobs'
    models and the filter's model then come from it instead of two more reads.
    """
    known = {ai_model.pk: ai_model for ai_model in models} if models is not None else None
    jobs = Job.objects.filter(user_id=user.pk, deleted_at=None)
    if status:
        jobs = jobs.filter(status=status)
    if kind:
        jobs = jobs.filter(kind=kind)
    if model:
        # Equality on the foreign key id, not a join on the slug (joins are O(N) here).
        if known is not None:
            model_id = next((pk for pk, ai_model in known.items() if ai_model.slug == model), None)
        else:
            model_id = AIModel.objects.filter(slug=model).values_list("pk", flat=True).first()
        jobs = jobs.filter(ai_model_id=model_id)
    if date_from:
        jobs = jobs.filter(submitted_at__gte=_day_start(date_from))
    if date_to:  # up to the end of that day
        jobs = jobs.filter(submitted_at__lt=_day_start(date_to + timedelta(days=1)))
    rows, next_cursor = keyset_page(jobs, before=cursor, size=page_size)
    if known is not None:
        for job in rows:
            if job.ai_model_id in known:
                job.ai_model = known[job.ai_model_id]
    # Read apart only what the catalog did not hold (no catalog given, or a model added since).
    prefetch_related_objects([job for job in rows if not Job.ai_model.is_cached(job)], "ai_model")
    images: dict = {}
    for image in Image.objects.shown().filter(job_id__in=[job.pk for job in rows]).order_by("output_index"):
        images.setdefault(image.job_id, []).append(image)
    for job in rows:
        job.outputs = images.get(job.pk, [])
    personal_models_attach(rows)
    return HistoryPage(rows, next_cursor or None)


def personal_models_attach(jobs: list[Job]) -> None:
    """Load the personal models ``jobs`` were made with, in one read for the whole page.

    Their names label the jobs (``labels.kind_label``); without this each card would read its
    own. A page without personal-model jobs reads nothing more.
    """
    if any(job.personal_model_id for job in jobs):
        prefetch_related_objects(
            jobs,
            Prefetch("personal_model", queryset=PersonalModel.objects.only("id", "name", "deleted_at")),
        )


LINEAGE_MAX = 50


def lineage(image: Image) -> list[Image]:
    """From the first image to this one, in one query however long the chain.

    Every image of a lineage records its first image (``original``), and an ancestor is
    older than its descendants, so one read of the root's older descendants holds the
    whole chain; the parent links are then followed in memory. Only a chain whose root
    was deleted (``original`` emptied) falls back to one read per missing ancestor.
    """
    chain = [image]
    if not image.parent_id:
        return chain
    known: dict = {}
    if image.original_id:
        rows = Image.objects.filter(
            Q(pk=image.original_id) | Q(original_id=image.original_id, pk__lt=image.pk),
            user_id=image.user_id,
        ).only("id", "image_type", "parent_id", "user_id", "deleted_at")
        known = {row.pk: row for row in rows}
    seen = {image.pk}
    current = image
    while current.parent_id and current.parent_id not in seen and len(chain) < LINEAGE_MAX:
        parent = known.get(current.parent_id) or Image.objects.filter(pk=current.parent_id).first()
        if parent is None:
            break
        seen.add(parent.pk)
        chain.append(parent)
        current = parent
    # A deleted ancestor is still followed (its parent link holds the chain) but not shown.
    return [step for step in reversed(chain) if step is image or step.deleted_at is None]


def image_children(image: Image, limit: int = 20) -> list[Image]:
    """The delivered images made from this one (a job's outputs stay hidden until it delivers them)."""
    return list(Image.objects.shown().filter(parent_id=image.pk).order_by("-pk")[:limit])


def my_images(user, limit: int = 60) -> list[Image]:
    return list(Image.objects.shown().filter(user_id=user.pk).order_by("-pk")[:limit])


def feed_examples(limit: int = 12) -> list[FeedExample]:
    """Staff-curated examples for the landing page; each has ``image_url`` and ``prompt``.

    Only examples whose image is public are shown (checked here rather than with a join).
    """
    examples = FeedExample.objects.filter(is_active=True).prefetch_related("image")[: limit * 2]
    return [example for example in examples if example.image.is_public][:limit]


# --- analytics --------------------------------------------------------------------


def _days(since, now) -> list:
    return [(since + timedelta(days=offset)).date() for offset in range((now.date() - since.date()).days + 1)]


def exact_cents(value) -> Decimal:
    """A catalog's ``cost_cents`` as an exact number of cents: the seed's prices are fractions of
    a cent (0.3, 2.5), so they are read through their text (0.3, not the float 0.299999…) and
    never cut to whole cents. Staff type it into JSON: a bad or negative value counts as 0."""
    if isinstance(value, bool):
        return Decimal(0)
    try:
        cents = Decimal(str(value if value is not None else 0))
    except InvalidOperation:
        return Decimal(0)
    return cents if cents.is_finite() and cents > 0 else Decimal(0)


@dataclass(frozen=True)
class CatalogCost:
    """A catalog model's name and what one of its generations costs at the provider."""

    name: str
    cost_cents: Decimal


def catalog_costs(ai_model_ids: Iterable) -> dict[Any, CatalogCost]:
    """The name and per-generation provider cost (``default_parameters["cost_cents"]``, exact
    cents, fractions kept) of these catalog models, by id, in one read."""
    return {
        pk: CatalogCost(name, exact_cents((params or {}).get("cost_cents")))
        for pk, name, params in AIModel.objects.filter(pk__in=list(set(ai_model_ids))).values_list(
            "pk", "name", "default_parameters"
        )
    }


def provider_cost_cents(
    rows: Iterable[Mapping], catalog: Mapping[Any, CatalogCost], *, group: Callable[[Mapping], Any]
) -> dict[Any, int]:
    """The estimated provider cost of generations, in integer cents, summed per ``group(row)``.

    The one rule for it: a completed generation costs its catalog model's ``cost_cents``
    (``catalog``, from :func:`catalog_costs`); a failed, canceled or running one costs
    nothing, and so does a model no longer in the catalog. ``rows`` are job values with
    ``ai_model_id`` and ``status``, and a count ``n`` when grouped by the database (one job
    otherwise). Prices are fractions of a cent, so each group's cost is summed exactly
    (Decimal: ten 0.3 ¢ images are 3 ¢, where whole cents per image made 0 and floats drift)
    and rounded once, half up, at the end. A total is its own group (``group=lambda row:
    None``), not the sum of rounded groups.
    """
    costs: dict[Any, Decimal] = {}
    for row in rows:
        key = group(row)
        costs.setdefault(key, Decimal(0))
        entry = catalog.get(row["ai_model_id"])
        if row["status"] == Job.Status.COMPLETED and entry is not None:
            costs[key] += entry.cost_cents * row.get("n", 1)
    return {key: int(cost.quantize(Decimal(1), rounding=ROUND_HALF_UP)) for key, cost in costs.items()}


def usage_summary(jobs_qs, *, days: int = 30) -> dict:
    """Per-day counts, credits, success rate and models from one pass over the window."""
    now = timezone.now()
    since = now - timedelta(days=days - 1)
    rows = list(
        jobs_qs.filter(submitted_at__gte=since.replace(hour=0, minute=0, second=0, microsecond=0)).values(
            "submitted_at",
            "status",
            "credits_charged",
            "credits_refunded",
            "ai_model_id",
            "provider",
            "refund_reason",
        )
    )
    per_day = Counter(row["submitted_at"].date() for row in rows)
    failures = Counter(row["submitted_at"].date() for row in rows if row["status"] in ("failed", "expired"))
    finished = [row for row in rows if row["status"] in Job.TERMINAL]
    completed = sum(1 for row in rows if row["status"] == "completed")
    models = Counter(row["ai_model_id"] for row in rows)
    catalog = catalog_costs(models)

    def provider(row: Mapping) -> str:
        return row["provider"] or "—"

    jobs_per_provider = Counter(provider(row) for row in rows)
    costs = provider_cost_cents(rows, catalog, group=provider)
    per_provider = {
        name: {"jobs": jobs, "cost_cents": costs.get(name, 0)} for name, jobs in jobs_per_provider.items()
    }
    series = [
        {"day": day, "count": per_day.get(day, 0), "failures": failures.get(day, 0)}
        for day in _days(since, now)
    ]
    peak = max((point["count"] for point in series), default=0) or 1
    for point in series:
        point["percent"] = round(100 * point["count"] / peak)
    return {
        "series": series,
        "total": len(rows),
        "completed": completed,
        "failed": sum(1 for row in rows if row["status"] in ("failed", "expired")),
        "refunds": sum(1 for row in rows if row["credits_refunded"]),
        "credits_spent": sum(row["credits_charged"] - row["credits_refunded"] for row in rows),
        "credits_refunded": sum(row["credits_refunded"] for row in rows),
        "success_rate": round(100 * completed / len(finished)) if finished else None,
        "models": [
            {"name": catalog[pk].name if pk in catalog else "?", "count": count}
            for pk, count in models.most_common()
        ],
        "providers": [{"name": name, **values} for name, values in sorted(per_provider.items())],
    }


def kinds_for_filter():
    return [choice for choice in Kind.choices if choice[0] != Kind.TRAINING_BASE]
