"""Links that open the create page already filled in, and reading them back.

One place knows the query string: ``create_url`` writes it (image and job pages, the
lightbox's "use prompt", "same seed", "remix") and ``create_initial`` reads it for
``/generate/``. Only the person's own jobs and images are read, and someone else's image
only when it is public (``remix_source``): a stranger's private id is ignored, so a link
never shows someone else's private picture or prompt.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, QueryDict
from django.urls import reverse

from generation import selectors
from generation.forms import SEED_MAX, personal_value
from generation.models import Image
from modelsnapper.ids import parse_object_id
from social.selectors import post_for_viewer

# Copied as given: the form validates them on submit like anything typed.
TEXT_KEYS = ("prompt", "model", "subject", "category")


def create_url(
    *,
    prompt: str = "",
    model: str = "",
    seed: int | None = None,
    source=None,
    remix=None,
    remix_image=None,
    remix_post=None,
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
            ("remix_image", str(remix_image or "")),
            ("remix_post", str(remix_post or "")),
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


@dataclass(frozen=True)
class RemixSource:
    """Someone else's public image a job remixes, and how the link named it (kept on the form)."""

    image: Image
    field: str  # "remix_image" or "remix_post"
    value: str


def remix_source(user, data: QueryDict) -> RemixSource | None:
    """The other person's image that ``?remix_image=`` / ``?remix_post=`` names, if ``user`` may
    remix it; None otherwise (their own image, a private one, nothing or nonsense).

    Who may see it is the one rule of each kind: ``image_visible_to`` for an image (public, or
    mine), ``post_for_viewer`` for an AI post (its picture is the generated image it was
    published from). Only a generated image (with its job) has a recipe to remix.
    """
    image = None
    with contextlib.suppress(Http404):
        if data.get("remix_image"):
            field, value = "remix_image", data["remix_image"]
            image = selectors.image_visible_to(user, value)
        elif data.get("remix_post"):
            field, value = "remix_post", data["remix_post"]
            post = post_for_viewer(user, value)
            image = Image.objects.shown().filter(pk=parse_object_id(post.source_image)).first()
    if image is None or image.job_id is None or image.user_id == user.pk:
        return None
    return RemixSource(image=image, field=field, value=str(value))


def _remix_others(source: RemixSource) -> dict:
    """What a remix of someone else's image copies: its prompt, model and parameters, never their
    personal model, the photo it started from or the person it shows."""
    job = source.image.job
    initial = {"prompt": job.prompt}
    if not job.personal_model_id:
        initial["model"] = job.ai_model.slug
    initial.update({key: value for key, value in job.parameters.items() if value not in (None, "")})
    return initial


def create_initial(user, query: QueryDict) -> dict:
    """The create form's initial values from ``?remix=``, ``?remix_image=``/``?remix_post=`` (someone
    else's public image), ``?prompt=``, ``?model=``, ``?seed=``, ``?source=`` (and the marketplace's
    ``?subject=``, ``?category=``)."""
    initial = _remix(user, query["remix"]) if query.get("remix") else {}
    others = remix_source(user, query)
    if others is not None:
        initial.update(_remix_others(others))
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
