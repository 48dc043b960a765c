"""The royalty statement and the ledger's CSV read in the reader's language (issue #15.2 follow-up).

A payout or a clawback line is written by staff or by a refund, outside the model's request: it is
stored as a sentence and shown in whichever language the model reads. The ledger's CSV names its
columns and each line's kind in the requester's language, while its amounts and dates stay plain
machine-readable values (a spreadsheet in any locale reads ``1500`` and an ISO date).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import LedgerEntry
from billing.services import credits_grant, royalty_accrue, royalty_clawback, royalty_payout, wallet_for
from modelsnapper.testing.i18n import page_for, pages_in_both, read_in


def payable_royalty(model_user, job_id: str, cents: int) -> None:
    """A royalty accrued long enough ago to be payable."""
    royalty_accrue(job_id=job_id, model_user=model_user, amount_cents=cents)
    LedgerEntry.objects.filter(idempotency_key=f"royalty:{job_id}:accrue").update(
        created_at=timezone.now() - timedelta(days=400)
    )


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_spanish_model_reads_a_royalty_payout_line_in_spanish(client, model, staff):
    payable_royalty(model, "job-1", 500)
    royalty_payout(model_user=model, amount_cents=300, reference="wire-7", staff_user=staff)
    url = reverse("marketplace:royalties")

    english, spanish = pages_in_both(client, model, url)
    assert "Payout wire-7" in english
    assert "Pago wire-7" in spanish
    assert "Payout" not in spanish
    # The stored text stays English (search, old readers); the sentence carries the reference.
    payout = LedgerEntry.objects.get(user_id=model.pk, entry_type=LedgerEntry.Type.ROYALTY_PAYOUT)
    assert payout.description == "Payout wire-7"


def test_a_spanish_model_reads_a_clawed_back_royalty_in_spanish(client, model):
    royalty_accrue(job_id="job-2", model_user=model, amount_cents=200)
    assert royalty_clawback(job_id="job-2") is not None

    spanish = page_for(client, read_in(model, "es"), reverse("marketplace:royalties"))
    assert "Se reembolsó la generación" in spanish
    assert "The generation was refunded" not in spanish


@pytest.mark.parametrize(
    ("language", "header", "kinds", "allowance"),
    [
        (
            "en",
            ["Date", "Type", "Currency", "Bucket", "Amount"],
            ["Bonus", "Credits", "Purchased"],
            "Free plan allowance",
        ),
        (
            "es",
            ["Fecha", "Tipo", "Moneda", "Bolsa", "Importe"],
            ["Bonificación", "Créditos", "Comprados"],
            "Asignación del plan gratuito",
        ),
    ],
)
def test_the_ledger_csv_names_columns_and_kinds_in_the_requesters_language_with_plain_numbers(
    client, owner, catalog, language, header, kinds, allowance
):
    wallet_for(owner)
    credits_grant(
        user=owner, amount=1500, bucket="purchased", entry_type=LedgerEntry.Type.BONUS, idempotency_key="csv"
    )
    client.force_login(read_in(owner, language))

    rows = csv_rows(client.get(reverse("billing:ledger_csv")))

    assert rows[0][:5] == header
    bonus = rows[-1]
    assert bonus[1:4] == kinds
    # Not "1,500" nor "1.500": numbers and dates any spreadsheet reads, whatever the language.
    assert (bonus[4], bonus[6]) == ("1500", "1500")
    assert datetime.fromisoformat(bonus[0])
    assert [row[8] for row in rows].count(allowance) == 1
    if language == "es":
        assert not any(
            word in cell for row in rows for cell in row for word in ("Free plan", "Bonus", "Credits")
        )


def test_the_royalty_statement_csv_is_in_the_models_language_with_plain_cents(client, model, staff):
    payable_royalty(model, "job-3", 1234)
    royalty_payout(model_user=model, amount_cents=1000, reference="wire-9", staff_user=staff)
    client.force_login(read_in(model, "es"))

    response = client.get(reverse("marketplace:royalties_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    assert rows[0] == ["Fecha", "Tipo", "Generación", "Céntimos", "Saldo en céntimos", "Descripción"]
    accrual, payout = rows[1:]
    assert accrual[1:5] == ["Regalía", "job-3", "1234", "1234"]
    assert accrual[5] == "Regalía por una imagen de catálogo"
    assert payout[1:] == ["Pago de regalías", "", "-1000", "234", "Pago wire-9"]
    assert datetime.fromisoformat(payout[0])
