"""An image: its file and variants (owner or public), its page, rating it, making it public."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from generation import selectors, services
from generation.forms import RateForm
from modelsnapper.media import serve_file, serve_variant
from modelsnapper.picture_sources import picture_for


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
        messages.error(request, _("Rate from 1 to 5 stars."))
        return redirect(image)
    try:
        services.job_rate(job=image.job, rating=form.cleaned_data["rating"])
        messages.success(request, _("Thanks for rating."))
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
        request,
        _("Anyone with the link can now see this image.") if public else _("This image is private again."),
    )
    return redirect(image)
