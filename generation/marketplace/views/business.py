"""The business's marketplace pages: the model list, asking for consent, its requests,
usage history and invoices (issue 5 item 7).

Thin: load with an ownership check, validate a form, call one service, redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.models import User
from generation.marketplace import consent, eligibility
from generation.marketplace import selectors as market_selectors
from generation.marketplace.forms import MarketFilterForm
from generation.marketplace.views.shared import paging, requests_page, require_role


@login_required
def market(request):
    refusal = eligibility.market_refusal(request.user)
    if refusal:  # not a 404: say why, and how to become a business
        return render(request, "generation/marketplace/for_businesses.html", {"refusal": refusal})
    form = MarketFilterForm(request.GET)
    form.is_valid()  # an invalid value is shown as a form error and ignored
    filters = form.cleaned_data
    page = market_selectors.market_page(
        request.user,
        page=request.GET.get("page"),
        name=filters.get("name", ""),
        category=filters.get("category", ""),
        kind=filters.get("kind", ""),
        my_status=filters.get("my_status", ""),
    )
    return render(request, "generation/marketplace/market.html", {"form": form, **paging(request, page)})


@login_required
@require_POST
def consent_ask(request, model_id):
    require_role(request, User.Role.BUSINESS)
    model = market_selectors.model_user_or_404(model_id)
    try:
        item, created = consent.consent_request_create(business=request.user, model=model)
    except consent.ConsentError as exc:
        messages.error(request, str(exc))
        return redirect("marketplace:market")
    if not created:  # asking twice shows the request that exists
        messages.info(request, gettext("You already asked this model; here is your request."))
        return redirect("marketplace:consent", item.pk)
    messages.success(request, gettext("Consent requested."))
    return redirect("marketplace:market")


@login_required
def my_requests(request):
    """The business's consent requests, filterable by status."""
    require_role(request, User.Role.BUSINESS)
    return requests_page(request, "generation/marketplace/requests.html")


@login_required
def usage_overview(request):
    """Per human model and avatar: completed generations, credits, royalties, last use."""
    require_role(request, User.Role.BUSINESS)
    return render(
        request,
        "generation/marketplace/usage.html",
        {"rows": market_selectors.usage_overview(request.user)},
    )


@login_required
def usage_history(request, kind, target_id):
    """The business's generations with one human model or avatar, newest first."""
    require_role(request, User.Role.BUSINESS)
    target = market_selectors.usage_target(kind, target_id, business=request.user)
    page = market_selectors.usage_jobs(request.user, target, cursor=request.GET.get("cursor", ""))
    return render(request, "generation/marketplace/usage_history.html", {"target": target, "page": page})


@login_required
def invoices(request):
    """The business's invoices, each with the marketplace generations of its period."""
    require_role(request, User.Role.BUSINESS)
    return render(
        request,
        "generation/marketplace/invoices.html",
        {"usage": market_selectors.invoice_usage(request.user, before=request.GET.get("before", ""))},
    )
