"""Marketplace pages (seed 001): onboarding, consent inbox, the business list, royalties,
and the business's requests, usage history and invoices (issue 5 item 7).

Thin: load with an ownership check (someone else's consent request is a 404),
validate a form, call one service, redirect.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import ModelProfile, User
from billing.services import royalty_balances, royalty_entries
from generation import consent, eligibility, marketplace
from generation import marketplace_selectors as market_selectors
from generation.models import ConsentRequest
from modelsnapper.paging import keyset_page


class ReleaseForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField(label="I have read the release and sign it.")


class ScopeForm(forms.Form):
    refused_categories = forms.MultipleChoiceField(
        choices=ModelProfile.Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class MarketFilterForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=120)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Any category"), *ModelProfile.Category.choices]
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=market_selectors.KIND_CHOICES)
    my_status = forms.ChoiceField(
        label="My status",
        required=False,
        choices=market_selectors.MY_STATUS_CHOICES,
        help_text="Consent applies to human models only.",
    )


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ConsentRequest.Status.choices]
    )


def _paging(request, page) -> dict:
    """Template context for page links: the filters to keep, and the page numbers to show."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "query": query.urlencode(),
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    }


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _require_role(request, role: str) -> None:
    if request.user.role != role:
        raise Http404("This page is for other accounts.")


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request):
    _require_role(request, User.Role.MODEL)
    profile = marketplace.model_profile_for(user=request.user)
    upload_errors: list[str] = []
    release_form = ReleaseForm(initial={"version": marketplace.RELEASE_VERSION})
    scope_form = ScopeForm(
        initial={"refused_categories": profile.refused_categories, "expires_on": profile.consent_expires_on}
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "references":
                marketplace.model_references_set(user=request.user, uploads=request.FILES.getlist("images"))
                messages.success(request, "Reference images saved.")
                return redirect("generation:marketplace_onboarding")
            if action == "sign":
                release_form = ReleaseForm(request.POST)
                if release_form.is_valid():
                    marketplace.model_release_sign(
                        user=request.user,
                        version=release_form.cleaned_data["version"],
                        ip=_client_ip(request),
                    )
                    messages.success(request, "Release signed.")
                    return redirect("generation:marketplace_onboarding")
            if action in ("pause", "resume"):
                marketplace.model_set_active(user=request.user, active=action == "resume")
                messages.success(
                    request, "Listing resumed." if action == "resume" else "Listing paused: no new images."
                )
                return redirect("generation:marketplace_onboarding")
            if action == "scope":
                scope_form = ScopeForm(request.POST)
                if scope_form.is_valid():
                    marketplace.model_scope_set(
                        user=request.user,
                        refused_categories=scope_form.cleaned_data["refused_categories"],
                        expires_on=scope_form.cleaned_data["expires_on"],
                    )
                    messages.success(request, "Scope saved.")
                    return redirect("generation:marketplace_onboarding")
        except ValidationError as exc:
            upload_errors = exc.messages
        except marketplace.MarketplaceError as exc:
            upload_errors = [str(exc)]
        status = 400
    return render(
        request,
        "generation/marketplace/onboarding.html",
        {
            "profile": profile,
            "release_text": marketplace.RELEASE_TEXT,
            "release_version": marketplace.RELEASE_VERSION,
            "release_form": release_form,
            "scope_form": scope_form,
            "errors": upload_errors,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request):
    """Leave the marketplace, after a confirmation page that says what will happen."""
    _require_role(request, User.Role.MODEL)
    live = ConsentRequest.objects.filter(
        model_id=request.user.pk, status__in=(ConsentRequest.Status.REQUESTED, ConsentRequest.Status.APPROVED)
    ).count()
    if request.method == "POST":
        closed = marketplace.model_withdraw(user=request.user)
        messages.success(
            request,
            f"You left the marketplace: {closed} consent{'s' if closed != 1 else ''} closed "
            "and your reference images deleted.",
        )
        return redirect("generation:marketplace_onboarding")
    return render(request, "generation/marketplace/withdraw.html", {"live": live})


@login_required
def inbox(request):
    """The model's consent requests, filterable by status, with their actions."""
    _require_role(request, User.Role.MODEL)
    return _requests_page(request, "generation/marketplace/inbox.html")


def _requests_page(request, template: str):
    form = RequestFilterForm(request.GET)
    form.is_valid()  # an unknown status is shown as a form error and ignored
    page = market_selectors.consent_requests_page(
        request.user, status=form.cleaned_data.get("status", ""), page=request.GET.get("page")
    )
    return render(request, template, {"form": form, **_paging(request, page)})


ACTIONS = {
    "approve": consent.consent_approve,
    "reject": consent.consent_reject,
    "revoke": consent.consent_revoke,
}


@login_required
@require_http_methods(["GET", "POST"])
def consent_act(request, request_id, action):
    """Approve, reject or revoke (POST). Revoking is asked about first (GET: the confirmation)."""
    if action not in ACTIONS or (request.method == "GET" and action != "revoke"):
        raise Http404
    item = consent.consent_request_for_model(model=request.user, request_id=request_id)
    if request.method == "GET":
        if not item.is_approved:  # a link kept from before: there is nothing to revoke
            messages.info(request, "This request is not approved, so there is nothing to revoke.")
            return redirect("generation:marketplace_inbox")
        return render(
            request, "generation/marketplace/revoke.html", market_selectors.revocation_preview(item)
        )
    try:
        item = ACTIONS[action](model=request.user, request=item)
        messages.success(request, f"Request {item.get_status_display().lower()}.")
    except consent.ConsentError as exc:
        messages.error(request, str(exc))
    return redirect("generation:marketplace_inbox")


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
    return render(
        request,
        "generation/marketplace/market.html",
        {"form": form, **_paging(request, page)},
    )


@login_required
@require_POST
def consent_ask(request, model_id):
    _require_role(request, User.Role.BUSINESS)
    model = market_selectors.model_user_or_404(model_id)
    try:
        item, created = consent.consent_request_create(business=request.user, model=model)
    except consent.ConsentError as exc:
        messages.error(request, str(exc))
        return redirect("generation:marketplace")
    if not created:  # asking twice shows the request that exists
        messages.info(request, "You already asked this model; here is your request.")
        return redirect("generation:marketplace_consent", item.pk)
    messages.success(request, "Consent requested.")
    return redirect("generation:marketplace")


@login_required
def royalties(request):
    _require_role(request, User.Role.MODEL)
    entries, older = keyset_page(
        royalty_entries(model_user=request.user), before=request.GET.get("before", ""), size=25
    )
    return render(
        request,
        "generation/marketplace/royalties.html",
        {"balances": royalty_balances(model_user=request.user), "entries": entries, "older": older},
    )


@login_required
def royalties_csv(request):
    """The royalty statement as CSV (one line per ledger entry)."""
    import csv

    from django.http import HttpResponse

    _require_role(request, User.Role.MODEL)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="royalties.csv"'
    writer = csv.writer(response)
    writer.writerow(["date", "type", "generation", "cents", "balance_cents", "description"])
    for entry in royalty_entries(model_user=request.user).order_by("pk").iterator():
        writer.writerow(
            [
                entry.created_at.isoformat(),
                entry.entry_type,
                entry.related_id,
                entry.amount,
                entry.balance_after,
                entry.description,
            ]
        )
    return response


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
    from django.http import JsonResponse

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


# --- business pages (issue 5 item 7) -------------------------------------------------


@login_required
def my_requests(request):
    """The business's consent requests, filterable by status."""
    _require_role(request, User.Role.BUSINESS)
    return _requests_page(request, "generation/marketplace/requests.html")


@login_required
def usage_overview(request):
    """Per human model and avatar: completed generations, credits, royalties, last use."""
    _require_role(request, User.Role.BUSINESS)
    return render(
        request,
        "generation/marketplace/usage.html",
        {"rows": market_selectors.usage_overview(request.user)},
    )


@login_required
def usage_history(request, kind, target_id):
    """The business's generations with one human model or avatar, newest first."""
    _require_role(request, User.Role.BUSINESS)
    target = market_selectors.usage_target(kind, target_id, business=request.user)
    page = market_selectors.usage_jobs(request.user, target, cursor=request.GET.get("cursor", ""))
    return render(request, "generation/marketplace/usage_history.html", {"target": target, "page": page})


@login_required
def invoices(request):
    """The business's invoices, each with the marketplace generations of its period."""
    _require_role(request, User.Role.BUSINESS)
    return render(
        request,
        "generation/marketplace/invoices.html",
        {"usage": market_selectors.invoice_usage(request.user, before=request.GET.get("before", ""))},
    )
