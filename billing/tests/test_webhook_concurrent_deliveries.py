"""Stripe delivers concurrently: one renewal invoice arriving twice at once grants its period once.

The invoice handler writes the invoice, its payment and the period's grant on the first try
without looking first (the unique indexes on the invoice id, the payment's external id and the
ledger key refuse a twin); these tests race two real threads through the real webhook to show
that a refused twin falls back to the looking path and changes nothing.
"""

import threading

import pytest
from django.test import Client

from billing.models import Invoice, LedgerEntry, Payment, Plan, StripeEvent, Wallet
from billing.selectors import ledger_drifts
from billing.services import wallet_for
from modelsnapper.testing import stripe_events
from modelsnapper.testing.stripe_events import period_of, stripe_event
from modelsnapper.testing.threads import closes_connections


def renewal(owner, stripe_post) -> dict:
    """The owner subscribed to Plus (mirrored), and the paid invoice of the next period."""
    wallet_for(owner)
    plan = Plan.objects.get(code="plus")
    sub = stripe_events.subscription(user=owner, price_id=plan.price_id_for("month"))
    assert stripe_post(stripe_event("customer.subscription.created", sub, created=1000)).status_code == 200
    start, end = period_of(sub)
    return stripe_events.invoice(
        user=owner,
        price_id=plan.price_id_for("month"),
        amount=plan.price_cents_for("month"),
        subscription_id=sub["id"],
        customer_id=sub["customer"],
        period=(end, end + (end - start)),
    )


def at_once(stripe_post, events: list[dict]) -> list[int]:
    """Post each event from its own thread, all released together; their status codes."""
    barrier = threading.Barrier(len(events))
    codes: list[int] = [0] * len(events)

    @closes_connections
    def deliver(index: int) -> None:
        client = Client()
        barrier.wait(timeout=30)
        codes[index] = stripe_post(events[index], http=client).status_code

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return codes


@pytest.mark.parametrize("twin", ["the same event", "another event for the same invoice"])
def test_a_renewal_invoice_delivered_twice_at_once_grants_its_period_once(twin, owner, catalog, stripe_post):
    invoice = renewal(owner, stripe_post)
    first = stripe_event("invoice.paid", invoice)
    second = first if twin == "the same event" else stripe_event("invoice.paid", invoice)
    assert at_once(stripe_post, [first, second]) == [200, 200]

    grants = LedgerEntry.objects.filter(user_id=owner.pk, entry_type="subscription_grant")
    assert grants.filter(related_type="billing.invoice").count() == 1
    assert Wallet.objects.get(user_id=owner.pk).allowance == 100
    assert Invoice.objects.filter(stripe_invoice_id=invoice["id"]).count() == 1
    assert Invoice.objects.get(stripe_invoice_id=invoice["id"]).status == "paid"
    assert Payment.objects.filter(external_id=invoice["id"]).count() == 1
    events = {first["id"], second["id"]}
    assert set(StripeEvent.objects.filter(event_id__in=events).values_list("status", flat=True)) == {
        "processed"
    }
    assert ledger_drifts() == []
