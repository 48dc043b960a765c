"""The model's marketplace pages: onboarding (one view per action), leaving, the consent
inbox and its answers, royalties.

Thin: load with an ownership check (someone else's consent request is a 404),
validate a form, call one service, redirect.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from billing.exports import royalty_rows
from billing.services import royalty_balances, royalty_entries
from generation.marketplace import consent
from generation.marketplace import onboarding as onboarding_services
from generation.marketplace import selectors as market_selectors
from generation.marketplace.forms import ReleaseForm, ScopeForm
from generation.marketplace.views.shared import requests_page, require_role
from generation.models import ConsentRequest
from modelsnapper.paging import keyset_page


def _onboarding_page(request, *, release_form=None, scope_form=None, errors=(), status: int = 200):
    profile = onboarding_services.model_profile_for(user=request.user)
    return render(
        request,
        "generation/marketplace/onboarding.html",
        {
            "profile": profile,
            "release_text": onboarding_services.RELEASE_TEXT,
            "release_version": onboarding_services.RELEASE_VERSION,
            "release_form": release_form
            or ReleaseForm(initial={"version": onboarding_services.RELEASE_VERSION}),
            "scope_form": scope_form
            or ScopeForm(
                initial={
                    "refused_categories": profile.refused_categories,
                    "expires_on": profile.consent_expires_on,
                }
            ),
            "errors": list(errors),
        },
        status=status,
    )


def _refused(request, exc: Exception, **forms):
    """The onboarding page again, saying why the action was refused (nothing was changed)."""
    errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return _onboarding_page(request, errors=errors, status=400, **forms)


def _done(request, message: str):
    messages.success(request, message)
    return redirect("marketplace:onboarding")


@login_required
def onboarding(request):
    require_role(request, User.Role.MODEL)
    return _onboarding_page(request)


@login_required
@require_POST
def onboarding_references(request):
    require_role(request, User.Role.MODEL)
    try:
        onboarding_services.model_references_set(user=request.user, uploads=request.FILES.getlist("images"))
    except (ValidationError, onboarding_services.MarketplaceError) as exc:
        return _refused(request, exc)
    return _done(request, gettext("Reference images saved."))


def _form_action(request, form_class, form_name: str, act):
    """Validate ``form_class`` from the POST and call ``act(cleaned_data)`` (which returns the
    success message); when the form or the service refuses, the page again with the reason."""
    require_role(request, User.Role.MODEL)
    form = form_class(request.POST)
    if not form.is_valid():
        return _onboarding_page(request, status=400, **{form_name: form})
    try:
        message = act(form.cleaned_data)
    except onboarding_services.MarketplaceError as exc:
        return _refused(request, exc, **{form_name: form})
    return _done(request, message)


@login_required
@require_POST
def onboarding_sign(request):
    def sign(data) -> str:
        ip = request.META.get("REMOTE_ADDR") or None
        onboarding_services.model_release_sign(user=request.user, version=data["version"], ip=ip)
        return gettext("Release signed.")

    return _form_action(request, ReleaseForm, "release_form", sign)


@login_required
@require_POST
def onboarding_scope(request):
    def scope(data) -> str:
        onboarding_services.model_scope_set(
            user=request.user, refused_categories=data["refused_categories"], expires_on=data["expires_on"]
        )
        return gettext("Scope saved.")

    return _form_action(request, ScopeForm, "scope_form", scope)


def _set_active(request, *, active: bool):
    require_role(request, User.Role.MODEL)
    try:
        onboarding_services.model_set_active(user=request.user, active=active)
    except onboarding_services.MarketplaceError as exc:
        return _refused(request, exc)
    return _done(
        request, gettext("Listing resumed.") if active else gettext("Listing paused: no new images.")
    )


@login_required
@require_POST
def onboarding_pause(request):
    return _set_active(request, active=False)


@login_required
@require_POST
def onboarding_resume(request):
    return _set_active(request, active=True)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request):
    """Leave the marketplace, after a confirmation page that says what will happen."""
    require_role(request, User.Role.MODEL)
    if request.method == "POST":
        closed = onboarding_services.model_withdraw(user=request.user)
        messages.success(
            request,
            ngettext(
                "You left the marketplace: %(n)s consent closed and your reference images deleted.",
                "You left the marketplace: %(n)s consents closed and your reference images deleted.",
                closed,
            )
            % {"n": closed},
        )
        return redirect("marketplace:onboarding")
    live = ConsentRequest.objects.filter(
        model_id=request.user.pk, status__in=(ConsentRequest.Status.REQUESTED, ConsentRequest.Status.APPROVED)
    ).count()
    return render(request, "generation/marketplace/withdraw.html", {"live": live})


@login_required
def inbox(request):
    """The model's consent requests, filterable by status, with their actions."""
    require_role(request, User.Role.MODEL)
    return requests_page(request, "generation/marketplace/inbox.html")


ACTIONS = {
    "approve": consent.consent_approve,
    "reject": consent.consent_reject,
    "revoke": consent.consent_revoke,
}
# What the model reads once an action went through, by the request's new status.
ANSWERED = {
    ConsentRequest.Status.REQUESTED: _("Request reopened."),
    ConsentRequest.Status.APPROVED: _("Request approved."),
    ConsentRequest.Status.REJECTED: _("Request rejected."),
    ConsentRequest.Status.REVOKED: _("Request revoked."),
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
            messages.info(request, gettext("This request is not approved, so there is nothing to revoke."))
            return redirect("marketplace:inbox")
        return render(
            request, "generation/marketplace/revoke.html", market_selectors.revocation_preview(item)
        )
    try:
        item = ACTIONS[action](model=request.user, request=item)
        messages.success(request, ANSWERED[item.status])
    except consent.ConsentError as exc:
        messages.error(request, str(exc))
    return redirect("marketplace:inbox")


@login_required
def royalties(request):
    require_role(request, User.Role.MODEL)
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
    require_role(request, User.Role.MODEL)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="royalties.csv"'
    writer = csv.writer(response)
    writer.writerows(royalty_rows(royalty_entries(model_user=request.user).order_by("pk").iterator()))
    return response
