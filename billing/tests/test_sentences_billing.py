"""System sentences about money, stored in English and shown in the reader's language (#15.2).

A coin gift's notice and a refund's ledger line are written outside the reader's request (the
sender's request, Stripe's webhook): each stores its English msgid and parameters, and a Spanish
reader sees it in Spanish with the amount formatted the Spanish way. A row written before this
change (no msgid) is shown as stored.
"""

from __future__ import annotations

from django.urls import reverse

from billing.models import LedgerEntry, Package
from billing.services import coins_grant, coins_transfer
from modelsnapper.testing.i18n import page_for, pages_in_both, read_in
from modelsnapper.testing.stripe_events import buy_package, refund_event
from social.models import Notification


def test_a_spanish_reader_sees_a_coin_gift_notice_in_spanish_with_spanish_digits(client, owner, friend):
    coins_grant(user=owner, amount=5000, idempotency_key="test:coins")
    coins_transfer(sender=owner, recipient=friend, amount=1500, idempotency_key="gift1")

    english, spanish = pages_in_both(client, friend, reverse("social:notifications"))
    assert "owner sent you 1,500 coins." in english
    assert "owner te ha enviado 1\xa0500 monedas." in spanish
    assert "sent you" not in spanish


def test_a_notice_written_before_sentences_were_stored_is_shown_as_stored(client, owner, friend):
    Notification.objects.create(
        recipient=friend, actor=owner, kind="coin_earned", text="owner sent you 3 coins."
    )
    assert "owner sent you 3 coins." in page_for(
        client, read_in(friend, "es"), reverse("social:notifications")
    )


def test_a_spanish_reader_sees_a_refund_ledger_line_in_spanish_with_a_spanish_amount(
    client, owner, catalog, stripe_post
):
    session = buy_package(owner, Package.objects.get(stripe_price_id="price_coins_500"), stripe_post)
    assert stripe_post(refund_event(session, [("re_es", 499)])).status_code == 200
    assert LedgerEntry.objects.get(idempotency_key="stripe:refund:re_es").description == "Refund re_es: $4.99"

    english, spanish = pages_in_both(client, owner, reverse("billing:ledger"))
    assert "Refund re_es: $4.99" in english
    assert "Reembolso re_es: 4,99\xa0$" in spanish or "Reembolso re_es: 4,99 $" in spanish
    assert "Refund re_es" not in spanish


def test_a_ledger_line_written_before_sentences_were_stored_is_shown_as_stored(client, owner, wallet):
    # What a line written before looks like: English text, no sentence.
    LedgerEntry.objects.filter(user_id=owner.pk).update(
        description="Refund re_old: 4.99 USD", description_sentence=None
    )
    assert "Refund re_old: 4.99 USD" in page_for(client, read_in(owner, "es"), reverse("billing:ledger"))
