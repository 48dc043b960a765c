"""The marketplace, staff analytics and the messages services send, in Spanish (issue #15.2).

A Spanish reader sees the marketplace pages, their flash messages and refusals, a job's error,
staff analytics and the admin's payout page in Spanish, with money in the locale's format;
an English reader still sees English. Job errors are stored in English and translated when
shown, so a job that failed before the reader switched language reads in their language too.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from billing.exceptions import BillingError, TransferError
from billing.models import Wallet
from billing.services import royalty_accrue, royalty_payout
from billing.services.coins import coins_transfer
from generation.models import Job
from modelsnapper.testing.factories import JobFactory
from modelsnapper.testing.i18n import assert_translated, page_for, pages_in_both, read_in, shown_text
from modelsnapper.testing.media import reference_uploads

INBOX_SOURCES = re.compile(r"templates/generation/marketplace/(inbox|_model_nav|_pages)\.html")


@pytest.fixture
def asked(market_business, signed_model):
    """The business asked the listed model for consent; the model has not answered."""
    from generation.marketplace.consent import consent_request_create

    request, _ = consent_request_create(business=market_business, model=signed_model)
    return request


def test_the_consent_inbox_shows_a_spanish_model_no_english_text_it_marks(
    client, spanish_catalog, asked, signed_model
):
    url = reverse("marketplace:inbox")
    english, spanish = pages_in_both(client, signed_model, url)

    assert_translated(spanish_catalog, INBOX_SOURCES, english, spanish, at_least=4)
    for text in ("Approve", "Reject", "Requested"):
        assert f">{text}<" in english
        assert f">{text}<" not in spanish
    assert ">Aprobar<" in spanish and ">Rechazar<" in spanish and ">Pedida<" in spanish


def test_asking_for_consent_thanks_a_spanish_business_in_spanish(client, market_business, signed_model):
    client.force_login(read_in(market_business, "es"))

    page = client.post(reverse("marketplace:consent_ask", args=[signed_model.pk]), follow=True)

    assert "Consentimiento pedido." in shown_text(page)
    assert "Consent requested." not in shown_text(page)


def test_a_refused_reference_upload_is_explained_in_the_models_language(client, model):
    client.force_login(read_in(model, "es"))

    page = client.post(reverse("marketplace:onboarding_references"), {"images": reference_uploads(1)})

    assert page.status_code == 400
    assert "Sube 3 o 4 imágenes de referencia." in shown_text(page)
    assert "reference images." not in shown_text(page)


def test_royalties_are_shown_to_a_spanish_model_as_money_in_the_spanish_format_never_cents(
    client, signed_model
):
    royalty_accrue(job_id="job-1", model_user=signed_model, amount_cents=123456)
    page = page_for(client, read_in(signed_model, "es"), reverse("marketplace:royalties"))

    assert ">Regalías<" in page and ">Pendiente<" in page
    assert re.search(r">1\s234,56\s\$<", page)  # Django's Spanish groups thousands with a space
    assert "Regalía por una imagen de catálogo" in page
    assert "$1,234.56" not in page and "1234.56" not in page


def test_a_failed_jobs_error_is_shown_in_the_readers_language(client, owner, local_model):
    job = JobFactory(
        user=owner,
        ai_model=local_model,
        status=Job.Status.FAILED,
        error="The model could not make this image. Your credits were refunded.",
    )
    url = reverse("generation:job", args=[job.pk])
    english, spanish = pages_in_both(client, owner, url)

    assert "The model could not make this image. Your credits were refunded." in english
    assert "El modelo no ha podido hacer esta imagen. Te hemos devuelto los créditos." in spanish
    assert "The model could not make this image." not in spanish


def test_system_analytics_reads_in_spanish_for_spanish_staff(client, staff):
    page = page_for(client, read_in(staff, "es"), reverse("generation:staff_analytics"))

    assert "<h1>Estadísticas del sistema</h1>" in page
    assert "Usuarios nuevos por día" in page and "Por estado" in page
    assert "System analytics" not in page and "New users per day" not in page


def test_the_payout_page_shows_balances_as_money_in_the_staff_members_language(client, staff, signed_model):
    royalty_accrue(job_id="job-1", model_user=signed_model, amount_cents=300)
    wallet = Wallet.objects.get(user_id=signed_model.pk)
    page = page_for(client, read_in(staff, "es"), f"/admin/billing/wallet/{wallet.pk}/royalty-payout/")

    assert re.search(r"Pendiente: 3,00\s\$ · A pagar: 0,00\s\$ · Pagado: 0,00\s\$", page)
    assert 'value="Registrar pago"' in page


def test_service_refusals_come_out_in_the_active_language(signed_model, staff, business):
    with translation.override("es"):
        with pytest.raises(TransferError, match="No puedes enviarte monedas a ti mismo."):
            coins_transfer(sender=business, recipient=business, amount=1, idempotency_key="gift-self")
        with pytest.raises(BillingError, match=r"Solo se pueden pagar 0,00\s\$\."):
            royalty_payout(model_user=signed_model, amount_cents=100, reference="wire-1", staff_user=staff)
    with translation.override("en"), pytest.raises(BillingError, match=r"Only \$0\.00 is payable\."):
        royalty_payout(model_user=signed_model, amount_cents=100, reference="wire-1", staff_user=staff)


def test_the_consent_history_names_refused_categories_and_reads_its_fixed_notes_in_spanish(
    client, asked, signed_model, market_business
):
    from generation.marketplace.onboarding import model_scope_set, model_set_active

    model_scope_set(user=signed_model, refused_categories=["swimwear", "nightlife"], expires_on=None)
    model_set_active(user=signed_model, active=False)
    url = reverse("marketplace:consent", args=[asked.pk])
    english, spanish = pages_in_both(client, market_business, url)

    assert "Refuses: Nightlife, Swimwear; expires: never." in english
    assert "swimwear" not in english and "nightlife" not in english
    assert "Paused: not taking work for now." in english
    assert "En pausa: de momento no acepta trabajos." in spanish
    assert "Paused: not taking work for now." not in spanish


def test_a_jobs_timeline_names_its_steps_in_the_readers_language_never_by_their_stored_keys(
    client, owner, local_model
):
    from generation.ending import event_add

    job = JobFactory(user=owner, ai_model=local_model, status=Job.Status.PROCESSING)
    event_add(job.pk, "started", "A worker picked it up.")
    event_add(job.pk, "polled", "No webhook came; asked the provider.")
    url = reverse("generation:job", args=[job.pk])
    english, spanish = pages_in_both(client, owner, url)

    assert "<strong>Started</strong> A worker picked it up." in english
    assert "<strong>Checked</strong> No webhook came; asked the provider." in english
    assert "<strong>Iniciado</strong> Un proceso de trabajo lo ha recogido." in spanish
    assert "<strong>Consultado</strong> No llegó ningún aviso; hemos preguntado al proveedor." in spanish
    assert "Polled" not in english and "A worker picked it up." not in spanish
