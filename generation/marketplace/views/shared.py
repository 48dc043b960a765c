"""What both sides of the marketplace use: the role check, paging links, the consent
request and license pages (either party may read them)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render

from accounts.models import User
from generation.marketplace import consent
from generation.marketplace import selectors as market_selectors
from generation.marketplace.forms import RequestFilterForm


def require_role(request, role: str) -> None:
    if request.user.role != role:
        raise Http404("This page is for other accounts.")


def paging(request, page) -> dict:
    """Template context for page links: the filters to keep, and the page numbers to show."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "query": query.urlencode(),
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    }


def requests_page(request, template: str):
    """The user's consent requests (a model's inbox, a business's requests), filterable by status."""
    form = RequestFilterForm(request.GET)
    form.is_valid()  # an unknown status is shown as a form error and ignored
    page = market_selectors.consent_requests_page(
        request.user, status=form.cleaned_data.get("status", ""), page=request.GET.get("page")
    )
    return render(request, template, {"form": form, **paging(request, page)})


@login_required
def consent_detail(request, request_id):
    """A consent request and its append-only events, for either side (anyone else: 404)."""
    item = consent.consent_request_for_party(user=request.user, request_id=request_id)
    people = {u.pk: u for u in User.objects.filter(pk__in=[item.business_id, item.model_id])}
    return render(
        request,
        "generation/marketplace/consent.html",
        {
            "item": item,
            "business": people.get(item.business_id),
            "model": people.get(item.model_id),
            "events": consent.consent_events(request=item),
        },
    )


@login_required
def license_detail(request, job_id):
    """The license record of a human-model generation, as a page or a JSON download."""
    job = market_selectors.licensed_job(user=request.user, job_id=job_id)
    record = market_selectors.license_record(job)
    if request.GET.get("format") == "json":
        response = JsonResponse(record, json_dumps_params={"indent": 2})
        response["Content-Disposition"] = f'attachment; filename="license-{job.pk}.json"'
        return response
    return render(
        request,
        "generation/marketplace/license.html",
        {"record": record, "job": job, "is_business": job.user_id == request.user.pk},
    )
