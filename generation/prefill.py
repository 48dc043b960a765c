"""Links that open the create page already filled in, and reading them back.

One place knows the query string: ``create_url`` writes it (image and job pages, the
lightbox's "use prompt", "same seed", "remix") and ``create_initial`` reads it for
``/generate/``. Only the person's own jobs and images are read; a stranger's id is
ignored, so a link never shows someone else's private picture or prompt.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.http import Http404, QueryDict
from django.urls import reverse

from generation import selectors
from generation.forms import SEED_MAX, personal_value

# Copied as given: the form validates them on submit like anything typed.
TEXT_KEYS = ("prompt", "model", "subject", "category")


def create_url(
    *,
    prompt: str = "",
    model: str = "",
    seed: int | None = None,
    source=None,
    remix=None,
) -> str:
    """``/generate/?…`` for "use prompt" (prompt, model), "same seed" (+ seed), "remix" (a job's
    settings) and "start from this image" (source: an image id)."""
    query = {
        key: value
        for key, value in (
            ("prompt", prompt),
            ("model", model),
            ("seed", "" if seed is None else str(seed)),
            ("source", str(source or "")),
            ("remix", str(remix or "")),
        )
        if value
    }
    url = reverse("generate")
    return f"{url}?{urlencode(query)}" if query else url


def model_value(job) -> str:
    """The model picker's value for ``job``'s model (each personal model has its own)."""
    return personal_value(job.personal_model_id) if job.personal_model_id else job.ai_model.slug


def _remix(user, job_id: str) -> dict:
    try:
        job = selectors.job_for_user(user, job_id)
    except Http404:
        return {}
    initial = {"prompt": job.prompt, "model": model_value(job)}
    initial.update({key: value for key, value in job.parameters.items() if value not in (None, "")})
    if job.source_image_id:
        with contextlib.suppress(Http404):  # the picture it started from was deleted
            initial["source"] = str(selectors.image_for_user(user, job.source_image_id).pk)
    if job.human_model_id or job.avatar_id:
        initial["subject"] = (
            f"model:{job.human_model_id}" if job.human_model_id else f"avatar:{job.avatar_id}"
        )
        initial["category"] = job.category
    return initial


def create_initial(user, query: QueryDict) -> dict:
    """The create form's initial values from ``?remix=``, ``?prompt=``, ``?model=``, ``?seed=``,
    ``?source=`` (and the marketplace's ``?subject=``, ``?category=``)."""
    initial = _remix(user, query["remix"]) if query.get("remix") else {}
    initial.update({key: query[key] for key in TEXT_KEYS if query.get(key)})
    seed = query.get("seed", "").strip()
    if seed.isdigit() and int(seed) <= SEED_MAX:
        initial["seed"] = int(seed)
    if query.get("source"):
        # Someone else's (or no) image: start without a picture, and say nothing about it.
        with contextlib.suppress(Http404):
            initial["source"] = str(selectors.image_for_user(user, query["source"]).pk)
    return initial


def recipe_url(job, *, seed: bool = False, source=None) -> str:
    """ "Use prompt" (``job``'s prompt and model), "same seed" (``seed=True``) or "remix" (``source``:
    one of my images to start from) for a job of mine."""
    return create_url(
        prompt=job.prompt,
        model=model_value(job),
        seed=job.seed if seed else None,
        source=getattr(source, "pk", source),
    )
