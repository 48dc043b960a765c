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
from modelsnapper.testing.stripe_events import buy_package, refund_event
from modelsnapper.tests.test_i18n import shown_text
from social.models import Notification


def read_in(user, language: str) -> None:
    user.preferences.language = language
    user.save()


def test_a_spanish_reader_sees_a_coin_gift_notice_in_spanish_with_spanish_digits(client, owner, friend):
    coins_grant(user=owner, amount=5000, idempotency_key="test:coins")
    coins_transfer(sender=owner, recipient=friend, amount=1500, idempotency_key="gift1")
    client.force_login(friend)

    english = shown_text(client.get(reverse("social:notifications")))
    assert "owner sent you 1,500 coins." in english

    read_in(friend, "es")
    spanish = shown_text(client.get(reverse("social:notifications")))
    assert "owner te ha enviado 1\xa0500 monedas." in spanish
    assert "sent you" not in spanish


def test_a_notice_written_before_sentences_were_stored_is_shown_as_stored(client, owner, friend):
    Notification.objects.create(
        recipient=friend, actor=owner, kind="coin_earned", text="owner sent you 3 coins."
    )
    read_in(friend, "es")
    client.force_login(friend)

    assert "owner sent you 3 coins." in shown_text(client.get(reverse("social:notifications")))


def test_a_spanish_reader_sees_a_refund_ledger_line_in_spanish_with_a_spanish_amount(
    client, owner, catalog, stripe_post
):
    session = buy_package(owner, Package.objects.get(stripe_price_id="price_coins_500"), stripe_post)
    assert stripe_post(refund_event(session, [("re_es", 499)])).status_code == 200
    assert LedgerEntry.objects.get(idempotency_key="stripe:refund:re_es").description == "Refund re_es: $4.99"
    client.force_login(owner)

    english = shown_text(client.get(reverse("billing:ledger")))
    assert "Refund re_es: $4.99" in english

    read_in(owner, "es")
    spanish = shown_text(client.get(reverse("billing:ledger")))
    assert "Reembolso re_es: 4,99\xa0$" in spanish or "Reembolso re_es: 4,99 $" in spanish
    assert "Refund re_es" not in spanish


def test_a_ledger_line_written_before_sentences_were_stored_is_shown_as_stored(client, owner, wallet):
    # What a line written before looks like: English text, no sentence.
    LedgerEntry.objects.filter(user_id=owner.pk).update(
        description="Refund re_old: 4.99 USD", description_sentence=None
    )
    read_in(owner, "es")
    client.force_login(owner)

    assert "Refund re_old: 4.99 USD" in shown_text(client.get(reverse("billing:ledger")))
