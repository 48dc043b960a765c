"""A user's money pages: the wallet, the ledger (and its CSV), invoices."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation

from billing.exports import ledger_rows
from billing.forms import (
    LedgerFilterForm,
)
from billing.models import Invoice, LedgerEntry, Payment, Plan, Subscription
from billing.selectors import (
    ledger_for,
    ledger_models,
)
from billing.services import wallet_for
from billing.views.common import keyset
from modelsnapper.ids import object_id_or_404


@login_required
def wallet(request):
    user_wallet = wallet_for(request.user)
    plan = Plan.objects.filter(code=user_wallet.plan_code).one()
    recent = list(LedgerEntry.objects.filter(user_id=request.user.pk).order_by("-pk")[:5])
    return render(
        request,
        "billing/wallet.html",
        {
            "wallet": user_wallet,
            "plan": plan,
            "recent": recent,
            "subscription": Subscription.objects.filter(user_id=request.user.pk).one(),
        },
    )


@login_required
def ledger(request):
    wallet_for(request.user)
    form = LedgerFilterForm(request.GET or None, models=ledger_models(request.user))
    chosen = form.cleaned_data if form.is_valid() else {}
    entry_type, usage, model = (chosen.get(name, "") for name in ("type", "usage", "model"))
    entries = ledger_for(request.user, entry_type=entry_type, usage_kind=usage, ai_model=model)
    page, next_cursor = keyset(request, entries)
    return render(
        request,
        "billing/ledger.html",
        {
            "entries": page,
            "next_cursor": next_cursor,
            "form": form,
            "entry_type": entry_type,
            "usage": usage,
            "model": model,
        },
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def ledger_csv(request):
    entries = LedgerEntry.objects.filter(user_id=request.user.pk).order_by("pk")
    entry_type = request.GET.get("type", "")
    if entry_type in LedgerEntry.Type.values:
        entries = entries.filter(entry_type=entry_type)
    writer = csv.writer(_Echo())
    # The language is read while streaming, after the view returns: keep the requester's.
    language = translation.get_language()

    def rows():
        with translation.override(language):
            for row in ledger_rows(entries.iterator()):
                yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="ledger.csv"'
    return response


@login_required
def invoices(request):
    rows = Invoice.objects.filter(user_id=request.user.pk).order_by("-pk")
    page, next_cursor = keyset(request, rows)
    # The packages of all listed payments in one query, not one per row.
    payments = list(
        Payment.objects.filter(user_id=request.user.pk).order_by("-pk").prefetch_related("package")[:50]
    )
    return render(
        request,
        "billing/invoices.html",
        {
            "invoices": page,
            "next_cursor": next_cursor,
            "payments": payments,
        },
    )


@login_required
def invoice(request, invoice_id: str):
    """One of the user's invoices, rendered here (test-mode invoices have no Stripe copy)."""
    row = Invoice.objects.filter(
        pk=object_id_or_404(invoice_id, "No such invoice."), user_id=request.user.pk
    ).one()
    if row is None:
        raise Http404("No such invoice.")
    return render(request, "billing/invoice.html", {"invoice": row})
