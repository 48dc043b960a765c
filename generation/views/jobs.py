"""A job's page and the status fragments its page and the results panel poll; cancelling a job."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from generation import selectors, services
from generation.models import (
    Job,
)


def job_context(job: Job) -> dict:
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
    return render(request, template, job_context(job))


@login_required
@require_GET
def job_detail(request, job_id):
    job = selectors.job_for_user(request.user, job_id)
    return render(request, "generation/job.html", job_context(job))


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
        messages.success(request, _("Canceled. Your credits were refunded."))
    else:
        messages.info(request, _("This generation had already finished."))
    if request.headers.get("HX-Request"):
        job.refresh_from_db()
        return _job_fragment(request, job)
    return redirect(job)
