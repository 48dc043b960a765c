"""Every read the Stripe webhook sends is served by an index (issue 17 items 3 and 4).

The unique Stripe ids (the event id, an invoice's id, a payment's external id, a ledger key)
have unique indexes, but Django makes those partial (``$type: string``), and a partial index
serves no plain equality: the read of a redelivered event's record, and of an invoice, payment
or ledger key when a handler has to look, scanned its whole collection, so a redelivery got
slower with every event ever received. Each read below is explained on the same server as in
``modelsnapper/tests/test_explain_pages.py``.
"""

from __future__ import annotations

from django.db import connections

from billing.models import Package, Plan
from billing.services import wallet_for
from modelsnapper.testing import stripe_events
from modelsnapper.testing.isolation import recorder
from modelsnapper.testing.stripe_events import package_session, period_of, stripe_event
from modelsnapper.tests.test_explain_pages import _explain, _reads, _shape

# The catalog: a few staff-curated plans and packs, looked up by Stripe price.
CATALOGS = {"billing_plan", "billing_package"}


def test_every_read_of_the_webhook_is_served_by_an_index(owner, catalog, stripe_post):
    wallet_for(owner)
    plan = Plan.objects.get(code="plus")
    pack = Package.objects.get(stripe_price_id="price_pack_starter")
    sub = stripe_events.subscription(user=owner, price_id=plan.price_id_for("month"))
    invoice = stripe_events.invoice(
        user=owner,
        price_id=plan.price_id_for("month"),
        amount=plan.price_cents_for("month"),
        subscription_id=sub["id"],
        customer_id=sub["customer"],
        period=period_of(sub),
    )
    session = package_session(owner, pack)
    checkout = stripe_event("checkout.session.completed", session)
    events = [
        checkout,
        checkout,  # a redelivery: the stored record is read
        stripe_event("checkout.session.async_payment_succeeded", session),  # looks up the grant
        stripe_event("customer.subscription.created", sub, created=1000),
        stripe_event("customer.subscription.updated", {**sub, "cancel_at_period_end": True}, created=2000),
        stripe_event("invoice.paid", invoice),
        stripe_event("invoice.paid", invoice),  # another event for the invoice: looks it up
    ]
    with recorder.commands() as commands:
        for event in events:
            assert stripe_post(event).status_code == 200
    database = connections["default"].database
    scans, shapes = set(), set()
    for command in commands:
        for collection, read in _reads(command):
            shapes.add(_shape(read))
            stages, _ = _explain(database, read)
            if "COLLSCAN" in stages and collection not in CATALOGS:
                scans.add(_shape(read))
    # The recorder saw the looks this test is about.
    assert {
        "billing_stripeevent(event_id)",
        "billing_invoice(stripe_invoice_id)",
        "billing_payment(external_id)",
        "billing_ledgerentry(idempotency_key)",
    } <= shapes
    assert sorted(scans) == []
