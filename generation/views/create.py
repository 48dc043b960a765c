"""Creating: the create page (a job submitted in place or by redirect), the edit page, the models list."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from billing.exceptions import InsufficientCredits
from billing.services import wallet_for
from generation import prefill, selectors, services
from generation.forms import EditForm, GenerateForm
from generation.models import (
    AIModel,
    Image,
    Job,
    Kind,
    PersonalModel,
    PromptPreset,
)
from generation.views.jobs import job_context


def buy_link_sentence(exc: InsufficientCredits) -> str:
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
        # Someone else's public image this remixes: named on the form, carried to the submission.
        "remix": prefill.remix_source(
            request.user, request.POST if request.method == "POST" else request.GET
        ),
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
    remix = prefill.remix_source(request.user, request.POST)
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
            remix_of=remix.image if remix else None,
        ),
    )
    if request.headers.get("HX-Request") != "true":
        return (
            redirect(outcome.job)
            if outcome.job
            else _generate_page(request, form, status=outcome.status, outcome=outcome)
        )
    if outcome.job is not None:
        context = {**job_context(outcome.job), "submitted": True, "credits": _credits(request.user)}
        return render(request, "generation/includes/job_card.html", context, status=201)
    response = render(
        request, "generation/includes/refusal.html", {"outcome": outcome}, status=outcome.status
    )
    return _with_retry_after(response, outcome)


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
