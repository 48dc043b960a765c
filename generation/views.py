"""Generation pages. Thin: load with an ownership check, validate, call one service."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from replicate.webhook import Webhooks, WebhookSigningSecret

from billing.exceptions import InsufficientCredits
from billing.services import wallet_for
from generation import analytics, prefill, selectors, services, tasks, training, webhooks
from generation.forms import EditForm, GenerateForm, PhotosForm, RateForm
from generation.models import (
    AIModel,
    Image,
    Job,
    Kind,
    PersonalModel,
    PromptPreset,
    TrainingPhoto,
    TrainingRun,
)
from modelsnapper.media import serve_file, serve_variant
from modelsnapper.observability import metrics
from modelsnapper.picture_sources import picture_for

logger = logging.getLogger(__name__)


def _buy_link_sentence(exc: InsufficientCredits) -> str:
    return f"{exc} Buy credits to continue."


@dataclass
class Outcome:
    """What became of a submission: the job, or the refusal's status (and where to buy or when to retry)."""

    job: Job | None
    status: int
    message: str = ""
    buy_url: str | None = None
    retry_after: int | None = None


def _submit(form, submit: Callable[[], Job]) -> Outcome:
    """Run a job submission; a refusal becomes a form error with its status (and a buy link)."""
    try:
        return Outcome(submit(), 302)
    except services.RateLimited as exc:
        form.add_error(None, str(exc))
        return Outcome(None, 429, str(exc), retry_after=exc.retry_after)
    except InsufficientCredits as exc:
        form.add_error(None, str(exc))
        return Outcome(None, 402, str(exc), buy_url=reverse("billing:pricing"))
    except services.GenerationError as exc:
        form.add_error(None, str(exc))
        return Outcome(None, 400, str(exc))


def _source_image(request, form) -> Image | None:
    """The picture a job starts from: the one picked, or the upload stored as my image now."""
    if form.source_image is not None or not form.cleaned_data.get("upload"):
        return form.source_image
    return services.image_upload(
        user=request.user,
        upload=form.cleaned_data["upload"],
        original_filename=getattr(request.FILES.get("upload"), "name", ""),
    )


def _with_retry_after(response, outcome: Outcome | None):
    if outcome is not None and outcome.retry_after:
        response["Retry-After"] = str(outcome.retry_after)
    return response


PICKER_SIZE = 12
RECENT_JOBS = 6


def _picker(user, chosen: str) -> list[Image]:
    """My recent pictures to start from, with the chosen one first even when it is older."""
    images = selectors.my_images(user, PICKER_SIZE)
    if chosen and all(str(image.pk) != chosen for image in images):
        with contextlib.suppress(Http404):  # not mine: not offered
            images = [selectors.image_for_user(user, chosen), *images[: PICKER_SIZE - 1]]
    return images


def _credits(user) -> int:
    wallet = wallet_for(user)
    return wallet.allowance + wallet.purchased


def _generate_page(request, form: GenerateForm, *, status: int = 200, outcome: Outcome | None = None):
    """The create page; to the page's script (HTMX), the form alone, with its errors, in place of itself."""
    chosen = str(form["source"].value() or "")
    context = {
        "form": form,
        "buy_url": outcome.buy_url if outcome else None,
        "credits": _credits(request.user),
        "presets": list(PromptPreset.objects.filter(is_active=True)),
        "my_images": _picker(request.user, chosen),
        "chosen": chosen,
    }
    if request.headers.get("HX-Request") == "true":
        # The errors belong next to the fields: the form replaces itself instead of the panel.
        response = render(request, "generation/includes/generate_form.html", context, status=status)
        response["HX-Retarget"] = "#gen-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    context["recent"] = selectors.history(request.user, page_size=RECENT_JOBS).jobs
    return _with_retry_after(render(request, "generation/generate.html", context, status=status), outcome)


@login_required
@require_http_methods(["GET", "POST"])
def generate(request):
    """``/generate/``: the form beside my latest results.

    A valid POST charges and queues the job. From the page's script (HTMX) the answer is the
    new job's card for the results panel (201), or the refusal as a sentence with its status
    (402 not enough credits, 429 too fast or too many running, 400) for the panel, or the form
    with its errors (400). Without script it redirects to the job page, or shows the form again.
    """
    if request.method == "GET":
        form = GenerateForm(initial=prefill.create_initial(request.user, request.GET), user=request.user)
        return _generate_page(request, form)
    form = GenerateForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _generate_page(request, form, status=400)
    outcome = _submit(
        form,
        lambda: services.job_submit(
            user=request.user,
            ai_model=form.cleaned_data["model"],
            prompt=form.cleaned_data["prompt"],
            parameters=form.parameters(),
            source_image=_source_image(request, form),
            personal_model=form.personal_model,
            human_model=form.human_model,
            avatar=form.avatar,
            category=form.cleaned_data.get("category") or "",
        ),
    )
    if request.headers.get("HX-Request") != "true":
        return (
            redirect(outcome.job)
            if outcome.job
            else _generate_page(request, form, status=outcome.status, outcome=outcome)
        )
    if outcome.job is not None:
        context = {**_job_context(outcome.job), "submitted": True, "credits": _credits(request.user)}
        return render(request, "generation/includes/job_card.html", context, status=201)
    response = render(
        request, "generation/includes/refusal.html", {"outcome": outcome}, status=outcome.status
    )
    return _with_retry_after(response, outcome)


def _job_context(job: Job) -> dict:
    return {
        "job": job,
        "timeline": selectors.timeline(job),
        "outputs": list(job.images.shown().order_by("output_index")),
        "queue_position": selectors.queue_position(job),
    }


def _job_fragment(request, job: Job):
    """The status the page swaps in: the results panel's card (``?card=1``) or the job page's section."""
    template = (
        "generation/includes/job_card.html"
        if request.GET.get("card")
        else "generation/includes/job_status.html"
    )
    return render(request, template, _job_context(job))


@login_required
@require_GET
def job_detail(request, job_id):
    job = selectors.job_for_user(request.user, job_id)
    return render(request, "generation/job.html", _job_context(job))


@login_required
@require_GET
@never_cache
def job_status(request, job_id):
    """The part of the job page HTMX swaps in while the job runs."""
    job = selectors.job_for_user(request.user, job_id)
    return _job_fragment(request, job)


@login_required
@require_POST
def job_cancel(request, job_id):
    job = selectors.job_for_user(request.user, job_id)
    if services.job_cancel(job=job):
        messages.success(request, "Canceled. Your credits were refunded.")
    else:
        messages.info(request, "This generation had already finished.")
    if request.headers.get("HX-Request"):
        job.refresh_from_db()
        return _job_fragment(request, job)
    return redirect(job)


@require_GET
def image_file(request, image_id):
    """The image bytes: to its owner, or to anyone once public. S3 gets a short-lived signed URL."""
    image = selectors.image_visible_to(request.user, image_id)
    return serve_file(
        request,
        storage=image.file.storage,
        name=image.file.name,
        public=image.is_public,
        content_type=f"image/{image.file_format}",
        filename=f"image-{image.pk}.{image.file_format}",
        download=request.GET.get("download") == "1",
    )


@require_GET
def image_variant(request, image_id, variant):
    """A smaller WebP copy of the image, to whoever may see the image itself."""
    image = selectors.image_visible_to(request.user, image_id)
    return serve_variant(
        request,
        variants=picture_for(image).variants,
        basename=variant,
        storage=image.file.storage,
        public=image.is_public,
    )


@login_required
@require_GET
def image_detail(request, image_id):
    image = selectors.image_for_user(request.user, image_id)
    job = image.job
    return render(
        request,
        "generation/image.html",
        {
            "image": image,
            "job": job,
            "lineage": selectors.lineage(image),
            "rate_form": RateForm(initial={"rating": job.rating} if job else None),
            "children": selectors.image_children(image),
        },
    )


@login_required
@require_POST
def image_rate(request, image_id):
    image = selectors.image_for_user(request.user, image_id)
    form = RateForm(request.POST)
    if image.job is None or not form.is_valid():
        messages.error(request, "Rate from 1 to 5 stars.")
        return redirect(image)
    try:
        services.job_rate(job=image.job, rating=form.cleaned_data["rating"])
        messages.success(request, "Thanks for rating.")
    except services.GenerationError as exc:
        messages.error(request, str(exc))
    return redirect(image)


@login_required
@require_POST
def image_public(request, image_id):
    image = selectors.image_for_user(request.user, image_id)
    public = request.POST.get("public") == "1"
    services.image_set_public(image=image, public=public)
    messages.success(
        request, "Anyone with the link can now see this image." if public else "This image is private again."
    )
    return redirect(image)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request):
    """Edit an image: upload one or pick one of mine, give an instruction, pick an edit model."""
    status = 200
    buy_url = None
    if request.method == "POST":
        form = EditForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            outcome = _submit(
                form,
                lambda: services.job_submit(
                    user=request.user,
                    ai_model=form.cleaned_data["model"],
                    prompt=form.cleaned_data["prompt"],
                    parameters=services.JobParameters(seed=form.cleaned_data.get("seed")),
                    source_image=_source_image(request, form),
                ),
            )
            if outcome.job is not None:
                return redirect(outcome.job)
            status, buy_url = outcome.status, outcome.buy_url
        else:
            status = 400
    else:
        initial = {}
        if request.GET.get("source"):
            initial["source"] = str(selectors.image_for_user(request.user, request.GET["source"]).pk)
        form = EditForm(initial=initial, user=request.user)
    chosen = form["source"].value()
    return render(
        request,
        "generation/edit.html",
        {
            "form": form,
            "buy_url": buy_url,
            "my_images": selectors.my_images(request.user, 24),
            "chosen": str(chosen or ""),
        },
        status=status,
    )


# --- personal model ---------------------------------------------------------------


@login_required
@require_GET
def my_model(request):
    personal = training.personal_model_for(request.user)
    return render(
        request,
        "generation/my_model.html",
        {
            "personal": personal,
            "photos": list(TrainingPhoto.objects.filter(user_id=request.user.pk)),
            "runs": list(TrainingRun.objects.filter(user_id=request.user.pk)[:10]),
            "bases": list(AIModel.objects.filter(kind=Kind.TRAINING_BASE, is_active=True)),
            "form": PhotosForm(),
            "min_photos": training.MIN_PHOTOS,
            "max_photos": training.MAX_PHOTOS,
            "cost": settings.GENERATION_TRAINING_COST,
        },
    )


@login_required
@require_POST
def my_model_photos(request):
    form = PhotosForm(request.POST, request.FILES, room=training.photo_room(request.user))
    if form.is_valid():
        try:
            photos = training.training_photos_add(user=request.user, uploads=form.cleaned_data["photos"])
            messages.success(request, f"Added {len(photos)} photo{'s' if len(photos) != 1 else ''}.")
        except training.TrainingError as exc:
            messages.error(request, str(exc))
    else:
        for error in form.errors.get("photos", []):
            messages.error(request, error)
    return redirect("generation:my_model")


@login_required
@require_http_methods(["GET", "POST"])
def my_model_photo_delete(request, photo_id):
    """GET says what deleting the photo leaves; POST deletes it."""
    from bson import ObjectId

    photo = TrainingPhoto.objects.filter(
        pk=ObjectId(photo_id) if ObjectId.is_valid(photo_id) else None, user_id=request.user.pk
    ).first()
    if photo is None:
        raise Http404("No such photo.")
    if request.method == "GET":
        left = TrainingPhoto.objects.filter(user_id=request.user.pk).count() - 1
        return render(
            request,
            "generation/training_photo_delete_confirm.html",
            {"photo": photo, "left": left, "min_photos": training.MIN_PHOTOS},
        )
    training.training_photo_delete(photo=photo)
    messages.success(request, "Photo deleted.")
    return redirect("generation:my_model")


@login_required
@require_POST
def my_model_train(request):
    base = AIModel.objects.filter(slug=request.POST.get("base", ""), kind=Kind.TRAINING_BASE).first()
    if base is None:
        base = AIModel.objects.filter(kind=Kind.TRAINING_BASE, is_active=True).first()
    try:
        if base is None:
            raise training.TrainingError("No training base is available right now.")
        training.training_start(user=request.user, base_model=base)
        messages.success(request, "Training started. This page shows its progress.")
    except InsufficientCredits as exc:
        messages.error(request, _buy_link_sentence(exc))
    except training.TrainingError as exc:
        messages.error(request, str(exc))
    return redirect("generation:my_model")


@login_required
@require_http_methods(["GET", "POST"])
def my_model_delete(request):
    """GET says what is lost; POST deletes the photos, the trained version and the model."""
    if request.method == "GET":
        return render(
            request,
            "generation/my_model_delete_confirm.html",
            {
                "loss": training.personal_model_loss(user=request.user),
                "cost": settings.GENERATION_TRAINING_COST,
                "min_photos": training.MIN_PHOTOS,
            },
        )
    messages.success(request, training.personal_model_delete(user=request.user))
    return redirect("generation:my_model")


@require_GET
def training_archive(request, token):
    """The photo archive, for the provider's trainer only: a signed, 2-hour link."""
    try:
        name = signing.loads(token, salt=training.ARCHIVE_SALT, max_age=2 * 60 * 60)
    except signing.BadSignature:
        raise Http404("No such file.") from None
    try:
        return FileResponse(default_storage.open(name), as_attachment=True, filename="photos.zip")
    except FileNotFoundError:
        raise Http404("No such file.") from None


# --- webhook ----------------------------------------------------------------------


@csrf_exempt
@require_POST
def replicate_webhook(request):
    """Replicate's webhook: verify (Standard Webhooks), record once by id, process in the background."""
    response, duplicate = _replicate_webhook(request)
    metrics.webhook_result("replicate", response.status_code, duplicate=duplicate)
    return response


def _replicate_webhook(request) -> tuple[JsonResponse, bool]:
    body = request.body.decode("utf-8", errors="replace")
    headers = {
        name: request.headers.get(name, "")
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    try:
        Webhooks.validate(
            headers=headers,
            body=body,
            secret=WebhookSigningSecret(key=settings.REPLICATE_WEBHOOK_SECRET),
            tolerance=settings.REPLICATE_WEBHOOK_TOLERANCE,
        )
    except ValueError as exc:  # every validation error, bad base64 and bad timestamps are ValueErrors
        logger.warning("rejected Replicate webhook: %s", exc)
        return JsonResponse({"error": "invalid signature"}, status=400), False
    try:
        payload = json.loads(body)
    except ValueError:
        return JsonResponse({"error": "invalid JSON"}, status=400), False
    if not isinstance(payload, dict):
        return JsonResponse({"error": "expected an object"}, status=400), False
    event, needs_processing = webhooks.webhook_record(webhook_id=headers["webhook-id"], payload=payload)
    if needs_processing:
        try:
            tasks.process_webhook_event.delay(str(event.pk))
        except Exception:
            logger.exception("could not enqueue webhook %s", event.webhook_id)
            return JsonResponse({"error": "try again"}, status=503), False
    return JsonResponse({"ok": True, "duplicate": not needs_processing}), not needs_processing


# --- analytics --------------------------------------------------------------------


def _analytics_range(request) -> tuple[analytics.RangeForm, analytics.DateRange | None]:
    """The range a page asks for (the last 30 days when it asks nothing); None when it is invalid."""
    form = analytics.RangeForm(request.GET or None)
    if not request.GET:
        return form, analytics.default_range()
    return form, form.cleaned_data["period"] if form.is_valid() else None


@login_required
@require_GET
def my_analytics(request):
    form, period = _analytics_range(request)
    if period is None:
        return render(request, "generation/analytics.html", {"form": form, "analytics": None}, status=400)
    figures = analytics.user_analytics(user_id=request.user.pk, period=period)
    return render(request, "generation/analytics.html", {"form": form, "analytics": figures})


@staff_member_required
@require_GET
def staff_analytics(request):
    form, period = _analytics_range(request)
    if period is None:
        return render(
            request, "generation/staff_analytics.html", {"form": form, "analytics": None}, status=400
        )
    context = {
        "form": form,
        "analytics": analytics.system_analytics(period=period),
        "summary": selectors.usage_summary(Job.objects.all()),  # per-provider jobs and cost, last 30 days
    }
    return render(request, "generation/staff_analytics.html", context)


@login_required
@require_GET
def models_list(request):
    personal = PersonalModel.objects.filter(user_id=request.user.pk).first()
    return render(
        request,
        "generation/models.html",
        {
            "models": AIModel.objects.filter(is_active=True).exclude(kind=Kind.PERSONAL),
            "personal": personal,
        },
    )
