"""Reads for the business side of the marketplace (issue 5 item 7).

The model list with its filters, the business's consent requests, its generations
per human model or AI avatar, and its invoices joined to that usage. Every read is
scoped by ``business.pk``; ids from the URL that are not ObjectIds, or name
nothing, are a 404.

Query shapes, for SecantusDB (see STACK.md): equality on one key where the set is
small and bounded (a business's consent requests, the listed models), filtered
in Python after; grouping and totals in one aggregation; names fetched once per
page with ``__in``, never per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from bson import ObjectId
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessProfile, ModelProfile, User
from billing.models import Invoice, LedgerEntry, Wallet
from generation.marketplace import eligibility
from generation.models import AIAvatar, AIModel, ConsentRequest, Job
from generation.selectors import HistoryPage
from modelsnapper.ids import object_id_or_404
from modelsnapper.paging import keyset_page
from modelsnapper.queryshape import first_match

MARKET_PAGE_SIZE = 12
REQUESTS_PAGE_SIZE = 20
HISTORY_PAGE_SIZE = 20
INVOICE_LIMIT = 24

KIND_HUMAN = "human"
KIND_AVATAR = "avatar"
KIND_CHOICES = [
    ("", pgettext_lazy("models and avatars", "All")),
    (KIND_HUMAN, _("Human models")),
    (KIND_AVATAR, _("AI avatars")),
]

MY_APPROVED = "approved"
MY_NOT_ASKED = "not_asked"
MY_STATUS_CHOICES = [
    ("", pgettext_lazy("consent status", "Any")),
    (MY_APPROVED, _("Consent approved")),
    (MY_NOT_ASKED, _("Not asked yet")),
]

# The URL's <kind> of a history page, and the job field it matches.
TARGET_MODEL = "model"
TARGET_AVATAR = "avatar"
MARKET_TYPES = (Job.ModelType.HUMAN_MODEL, Job.ModelType.AI_AVATAR)


def _profile_names(user_ids: Iterable[Any], profile_model=ModelProfile, field: str = "display_name") -> dict:
    """Names by user id from their profile (models' display, businesses' business name), else the
    account's display name: two queries at most."""
    ids = set(user_ids) - {None}
    if not ids:
        return {}
    names = dict(profile_model.objects.filter(user_id__in=list(ids)).values_list("user_id", field))
    missing = ids - set(names)
    if missing:
        names.update({user.pk: user.display_name for user in User.objects.filter(pk__in=list(missing))})
    return names


def _model_names(user_ids: Iterable[Any]) -> dict[Any, str]:
    return _profile_names(user_ids)


def _business_names(user_ids: Iterable[Any]) -> dict[Any, str]:
    return _profile_names(user_ids, BusinessProfile, "business_name")


# --- the model list ----------------------------------------------------------------


@dataclass
class MarketEntry:
    """One card of the marketplace: a listed human model or an active AI avatar."""

    kind: str  # KIND_HUMAN or KIND_AVATAR
    name: str
    profile: ModelProfile | None = None
    avatar: AIAvatar | None = None
    my_request: ConsentRequest | None = None
    # The /generate/ query of "Generate with …" (a model and category the submission accepts),
    # or why the business cannot generate with this model now (a sentence); both "" before consent.
    generate_query: str = ""
    refusal: str = ""


def market_entries(
    business: User, *, name: str = "", category: str = "", kind: str = "", my_status: str = ""
) -> list[MarketEntry]:
    """Listed human models, then active avatars, each by name, narrowed by the filters.

    ``category``: only models whose scope allows it and whose consent has not expired
    (avatars take every category). ``my_status`` is about consent, which avatars do not
    need, so it shows human models only. Who is listed, and whether "Generate with" is
    offered, is the marketplace rule's answer (``generation.marketplace.eligibility``).
    """
    needle = name.strip().casefold()
    entries: list[MarketEntry] = []
    shoot = eligibility.catalog_model_for(business)
    if kind != KIND_AVATAR:
        profiles = eligibility.listed_models()
        if needle:
            profiles = [p for p in profiles if needle in p.display_name.casefold()]
        if category:
            today = timezone.localdate()
            profiles = [p for p in profiles if not p.refuses(category, today=today)]
        # One key: a business's requests are at most one per model.
        mine = {r.model_id: r for r in ConsentRequest.objects.filter(business_id=business.pk).order_by()}
        wallet = Wallet.objects.filter(user_id=business.pk).one()
        for profile in profiles:
            request = mine.get(profile.user_id)
            if my_status == MY_APPROVED and not (request and request.is_approved):
                continue
            if my_status == MY_NOT_ASKED and request is not None:
                continue
            entry = MarketEntry(KIND_HUMAN, profile.display_name, profile=profile, my_request=request)
            if request is not None and request.is_approved:
                _offer_generation(entry, business=business, shoot=shoot, wallet=wallet, category=category)
            entries.append(entry)
    if kind != KIND_HUMAN and not my_status:
        avatars = AIAvatar.objects.filter(is_active=True).order_by("name")
        entries += [
            MarketEntry(
                KIND_AVATAR,
                avatar.name,
                avatar=avatar,
                generate_query=_generate_query(f"avatar:{avatar.pk}", shoot, category),
            )
            for avatar in avatars
            if not needle or needle in avatar.name.casefold()
        ]
    return entries


def _generate_query(subject: str, shoot: AIModel | None, category: str) -> str:
    query = {"subject": subject, "model": shoot.slug if shoot else "", "category": category}
    return urlencode({key: value for key, value in query.items() if value}, safe=":")


def _offer_generation(
    entry: MarketEntry, *, business: User, shoot: AIModel | None, wallet: Any, category: str
) -> None:
    """Fill the card's "Generate with" query, or the sentence saying why not, from the rule.

    The category preselected is the one filtered on, else the first the model accepts.
    """
    profile = entry.profile
    category = category or eligibility.accepted_category(profile)
    verdict = eligibility.human_model_verdict(
        business=business,
        model=profile.user,  # read by listed_models(): no query per card
        category=category,
        wallet=wallet,
        profile=profile,
        request=entry.my_request,
    )
    if verdict.refusal or not category:
        entry.refusal = verdict.refusal or gettext("This model accepts no catalog category right now.")
        return
    entry.generate_query = _generate_query(f"model:{profile.user_id}", shoot, category)


def market_page(business: User, *, page: Any = 1, **filters: str) -> Page:
    return Paginator(market_entries(business, **filters), MARKET_PAGE_SIZE).get_page(page)


# --- my consent requests -------------------------------------------------------------


def consent_requests_page(user: User, *, status: str = "", page: Any = 1) -> Page:
    """The consent requests ``user`` sent (a business) or received (a model), newest first.

    Each row on the page gets ``other_name``: the model's display name for a business,
    the business's name for a model.
    """
    as_model = user.role == User.Role.MODEL
    mine = {"model_id": user.pk} if as_model else {"business_id": user.pk}
    rows = list(ConsentRequest.objects.filter(**mine).order_by("-requested_at"))
    if status:
        rows = [row for row in rows if row.status == status]
    result = Paginator(rows, REQUESTS_PAGE_SIZE).get_page(page)
    if as_model:
        names = _business_names(row.business_id for row in result)
        for row in result:
            row.other_name = names.get(row.business_id, "A former business")
    else:
        names = _model_names(row.model_id for row in result)
        for row in result:
            row.other_name = names.get(row.model_id, "A former model")
    return result


def revocation_preview(item: ConsentRequest) -> dict[str, Any]:
    """What revoking ``item`` would do: whose consent it is and how many images it stops."""
    in_flight = Job.objects.filter(user_id=item.business_id, human_model_id=item.model_id).active()
    return {
        "item": item,
        "business_name": _business_names([item.business_id]).get(item.business_id, "this business"),
        "in_flight": in_flight.count(),
    }


# --- generation history per model or avatar -------------------------------------------


def model_user_or_404(user_id: Any) -> User:
    """The model account with this id, or 404 (unknown, not a model, or not an id at all)."""
    user = first_match(User.objects.filter(pk=object_id_or_404(user_id)))
    if user is None or user.role != User.Role.MODEL:
        raise Http404("No such model.")
    return user


@dataclass
class UsageTarget:
    kind: str  # TARGET_MODEL or TARGET_AVATAR
    pk: ObjectId
    name: str

    @property
    def is_human(self) -> bool:
        return self.kind == TARGET_MODEL


def usage_target(kind: str, target_id: Any, *, business: User | None = None) -> UsageTarget:
    """The human model (a model account) or avatar a history page is about, or 404."""
    pk = object_id_or_404(target_id)
    if kind == TARGET_MODEL:
        user = first_match(User.objects.filter(pk=pk))
        # A model who has since left the model role keeps the history of what was made with them.
        if user is None or (
            user.role != User.Role.MODEL
            and not (business and Job.objects.filter(user_id=business.pk, human_model_id=pk).exists())
        ):
            raise Http404("No such model.")
        return UsageTarget(kind, pk, _model_names([pk]).get(pk, user.display_name))
    if kind == TARGET_AVATAR:
        avatar = first_match(AIAvatar.objects.filter(pk=pk))
        if avatar is None:
            raise Http404("No such avatar.")
        return UsageTarget(kind, pk, avatar.name)
    raise Http404("No such kind.")


def usage_jobs(
    business: User, target: UsageTarget, *, cursor: str = "", page_size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """The business's own jobs with ``target``, newest first, keyset-paginated on the id."""
    if target.is_human:
        jobs = Job.objects.filter(user_id=business.pk, human_model_id=target.pk)
    else:
        jobs = Job.objects.filter(user_id=business.pk, avatar_id=target.pk)
    rows, next_cursor = keyset_page(jobs, before=cursor, size=page_size)
    return HistoryPage(rows, next_cursor or None)


@dataclass
class UsageRow:
    """What a business made with one human model or avatar: totals of completed generations."""

    kind: str  # TARGET_MODEL or TARGET_AVATAR
    pk: Any
    name: str
    completed: int
    credits: int
    royalty_cents: int
    last_used: datetime | None


def usage_overview(business: User) -> list[UsageRow]:
    """Per human model and avatar the business used, most recently used first.

    One grouped aggregation for the totals (completed generations only; credits net
    of refunds), plus one query each for the names.
    """
    done = Q(status=Job.Status.COMPLETED)
    groups = list(
        Job.objects.filter(user_id=business.pk, model_type__in=MARKET_TYPES)
        .values("model_type", "human_model_id", "avatar_id")
        .annotate(
            completed=Count("pk", filter=done),
            credits=Sum(F("credits_charged") - F("credits_refunded"), filter=done),
            royalty=Sum("royalty_cents", filter=done),
            last_used=Max("submitted_at"),
        )
        .order_by()
    )
    humans = [g for g in groups if g["model_type"] == Job.ModelType.HUMAN_MODEL and g["human_model_id"]]
    avatars = [g for g in groups if g["model_type"] == Job.ModelType.AI_AVATAR and g["avatar_id"]]
    model_names = _model_names(g["human_model_id"] for g in humans)
    avatar_names = (
        dict(AIAvatar.objects.filter(pk__in=[g["avatar_id"] for g in avatars]).values_list("pk", "name"))
        if avatars
        else {}
    )
    rows = [
        UsageRow(
            TARGET_MODEL,
            g["human_model_id"],
            model_names.get(g["human_model_id"], "A former model"),
            g["completed"] or 0,
            g["credits"] or 0,
            g["royalty"] or 0,
            g["last_used"],
        )
        for g in humans
    ] + [
        UsageRow(
            TARGET_AVATAR,
            g["avatar_id"],
            avatar_names.get(g["avatar_id"], gettext("A removed avatar")),
            g["completed"] or 0,
            g["credits"] or 0,
            0,
            g["last_used"],
        )
        for g in avatars
    ]
    rows.sort(key=lambda row: (row.last_used is not None, row.last_used or 0), reverse=True)
    return rows


# --- invoices joined to usage ----------------------------------------------------------


@dataclass
class PeriodUsage:
    """Completed marketplace generations submitted in one period."""

    human_jobs: int = 0
    avatar_jobs: int = 0
    credits: int = 0
    royalty_cents: int = 0

    def add(self, job: dict) -> None:
        if job["model_type"] == Job.ModelType.HUMAN_MODEL:
            self.human_jobs += 1
        else:
            self.avatar_jobs += 1
        self.credits += job["credits_charged"] - job["credits_refunded"]
        self.royalty_cents += job["royalty_cents"]

    @property
    def jobs(self) -> int:
        return self.human_jobs + self.avatar_jobs


@dataclass
class InvoiceRow:
    invoice: Invoice
    start: datetime | None
    end: datetime | None
    usage: PeriodUsage = field(default_factory=PeriodUsage)


@dataclass
class InvoiceUsage:
    rows: list[InvoiceRow]
    # Generations after the latest invoiced period (None when no invoice has a period,
    # and on the pages of older invoices).
    current_start: datetime | None
    current: PeriodUsage | None
    older: str = ""  # the cursor of the next page of older invoices ("" on the last page)


def _period(invoice: Invoice) -> tuple[datetime | None, datetime | None]:
    """The invoice's period; Stripe's first invoice has start == end, so fall back to its first line."""
    start, end = invoice.period_start, invoice.period_end
    if start and end and start < end:
        return start, end
    for line in invoice.line_items or []:
        if line.period_start and line.period_end and line.period_start < line.period_end:
            return line.period_start, line.period_end
    return start, end


def invoice_usage(business: User, *, before: str = "", limit: int | None = None) -> InvoiceUsage:
    """A page of the business's invoices, newest first, each with the generations in its period.

    Two queries whatever the number of invoices: the invoices, then the completed
    marketplace jobs of the page's span, bucketed here (periods are half-open,
    [start, end); a job in overlapping periods counts in each). The first page also
    has the generations after the latest period: the one not invoiced yet.
    """
    invoices, older = keyset_page(
        Invoice.objects.filter(user_id=business.pk), before=before, size=limit or INVOICE_LIMIT
    )
    rows = [InvoiceRow(invoice, *_period(invoice)) for invoice in invoices]
    # Newest period first; invoices without one last.
    rows.sort(key=lambda row: (row.start is not None, row.start or 0, row.invoice.created_at), reverse=True)
    periods = [row for row in rows if row.start and row.end]
    if not periods:
        return InvoiceUsage(rows, None, None, older)
    since = min(row.start for row in periods)
    current_start = max(row.end for row in periods)
    # The latest invoice may pay for a period still running: then nothing is un-invoiced yet.
    first_page = not before and current_start <= timezone.now()
    current = PeriodUsage() if first_page else None
    jobs = Job.objects.filter(
        user_id=business.pk,
        status=Job.Status.COMPLETED,
        model_type__in=MARKET_TYPES,
        submitted_at__gte=since,
    )
    if not first_page:
        jobs = jobs.filter(submitted_at__lt=current_start)
    fields = ("submitted_at", "model_type", "credits_charged", "credits_refunded", "royalty_cents")
    for job in jobs.values(*fields).order_by():
        at = job["submitted_at"]
        if at >= current_start:
            if current is not None:
                current.add(job)
            continue
        for row in periods:
            if row.start <= at < row.end:
                row.usage.add(job)
    return InvoiceUsage(rows, current_start if first_page else None, current, older)


# --- license records -------------------------------------------------------------------


def licensed_job(*, user: User, job_id: Any) -> Job:
    """A human-model job whose license ``user`` may read (its business or its model), or 404."""
    job = Job.objects.filter(pk=object_id_or_404(job_id)).one()
    if (
        job is None
        or job.model_type != Job.ModelType.HUMAN_MODEL
        or user.pk not in (job.user_id, job.human_model_id)
    ):
        raise Http404("No such license.")
    return job


def license_record(job: Job) -> dict[str, Any]:
    """What a human-model output was licensed under (issue 5 item 6), as plain JSON values."""
    profile = first_match(ModelProfile.objects.filter(user_id=job.human_model_id))
    business = first_match(BusinessProfile.objects.filter(user_id=job.user_id))
    charge = LedgerEntry.objects.filter(idempotency_key=job.charge_key).one()
    return {
        "job_id": str(job.pk),
        "status": job.status,
        "business_id": str(job.user_id),
        "business_name": business.business_name if business else "",
        "model_id": str(job.human_model_id or ""),
        "model_name": profile.display_name if profile else "",
        "consent_request_id": str(job.consent_request_id or ""),
        # The release in force at submission; jobs from before it was recorded show the current one.
        "release_version": job.release_version or (profile.release_version if profile else ""),
        "category": job.category,
        "submitted_at": job.submitted_at.isoformat(),
        "generated_at": job.completed_at.isoformat() if job.completed_at else None,
        "price_credits": abs(charge.amount) if charge else job.credits_charged,
        "credits_refunded": job.credits_refunded,
        "royalty_cents": job.royalty_cents,
    }


def likeness_images(job: Job) -> list[bytes]:
    """The likeness a marketplace job is made with, as the image files' bytes (none for other jobs).

    A human model's 3–4 reference images, or the avatar's reference image. The job
    services read them and hand them to the provider, which passes them to the model
    (Replicate) or draws them in (local): providers never look the marketplace up.
    """
    names: list[str] = []
    if job.model_type == Job.ModelType.HUMAN_MODEL and job.human_model_id:
        profile = ModelProfile.objects.filter(user_id=job.human_model_id).first()
        names = list(profile.reference_images) if profile else []
    elif job.model_type == Job.ModelType.AI_AVATAR and job.avatar_id:
        avatar = AIAvatar.objects.filter(pk=job.avatar_id).first()
        names = [avatar.reference_image.name] if avatar and avatar.reference_image else []
    images = []
    for name in names:
        with default_storage.open(name) as handle:
            images.append(handle.read())
    return images
