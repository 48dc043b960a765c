"""Round trips to MongoDB per Stripe webhook event, pinned per event kind (issue 17 item 3).

Every command the process sends while the webhook answers one signed event is counted
(``isolation.recorder.commands``: ORM queries, raw pymongo calls, transaction commits);
connection upkeep is left out. The budgets are what the handlers need after cutting the
find-then-insert of the event record, the re-reads of the stored event, the read of the user
(the wallet the handler touches proves it), the balance read-back after a wallet already read,
the look for an invoice and its period's grant before inserting them, and a subscription
update's write of an unchanged plan; a change that adds a round trip to an event kind shows
here. Each test also checks the event applied exactly once, so a budget is never met
by skipping work.
"""

import pytest

from billing.models import Invoice, LedgerEntry, Package, Payment, Plan, StripeEvent, Subscription, Wallet
from billing.services import wallet_for
from modelsnapper.testing import stripe_events
from modelsnapper.testing.isolation import recorder
from modelsnapper.testing.stripe_events import package_session, period_of, stripe_event

# Round trips per event, after the cuts (first session: checkout 15, subscription update 14,
# invoice.paid 18; second: 9, 9, 13; a duplicate 2 throughout: the refused insert and the read
# of the stored row).
CHECKOUT = 8
DUPLICATE = 2
SUBSCRIPTION_UPDATE = 7
INVOICE_PAID = 9


def posted(stripe_post, event) -> list[str]:
    """Post ``event`` to the webhook (must answer 200); the commands it sent, as ``name collection``."""
    with recorder.commands() as commands:
        response = stripe_post(event)
    assert response.status_code == 200, response.content
    sent = [f"{next(iter(c))} {c[next(iter(c))]}" for c in commands]
    return sent


@pytest.fixture
def pack(catalog):
    return Package.objects.get(stripe_price_id="price_pack_starter")  # 50 credits, $5


def test_a_paid_checkout_is_fulfilled_in_at_most_eight_round_trips_and_its_duplicate_in_two(
    owner, pack, stripe_post
):
    wallet_for(owner)
    event = stripe_event("checkout.session.completed", package_session(owner, pack))
    sent = posted(stripe_post, event)
    assert len(sent) <= CHECKOUT, sent
    assert len(posted(stripe_post, event)) <= DUPLICATE
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50
    assert LedgerEntry.objects.filter(user_id=owner.pk, entry_type="purchase").count() == 1
    assert Payment.objects.filter(user_id=owner.pk).count() == 1
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert (stored.status, stored.attempts) == ("processed", 1)


def test_a_subscription_update_is_mirrored_in_at_most_seven_round_trips(owner, catalog, stripe_post):
    wallet_for(owner)
    plan = Plan.objects.get(code="plus")
    sub = stripe_events.subscription(user=owner, price_id=plan.price_id_for("month"))
    assert stripe_post(stripe_event("customer.subscription.created", sub, created=1000)).status_code == 200
    sub["cancel_at_period_end"] = True
    event = stripe_event("customer.subscription.updated", sub, created=2000)
    sent = posted(stripe_post, event)
    assert len(sent) <= SUBSCRIPTION_UPDATE, sent
    assert len(posted(stripe_post, event)) <= DUPLICATE
    row = Subscription.objects.get(user_id=owner.pk)
    assert (row.tier, row.cancel_at_period_end, row.last_event_created) == ("plus", True, 2000)
    assert StripeEvent.objects.get(event_id=event["id"]).status == "processed"


def test_a_paid_renewal_invoice_grants_the_period_in_at_most_nine_round_trips(owner, catalog, stripe_post):
    wallet_for(owner)
    plan = Plan.objects.get(code="plus")
    sub = stripe_events.subscription(user=owner, price_id=plan.price_id_for("month"))
    assert stripe_post(stripe_event("customer.subscription.created", sub)).status_code == 200
    invoice = stripe_events.invoice(
        user=owner,
        price_id=plan.price_id_for("month"),
        amount=plan.price_cents_for("month"),
        subscription_id="sub_1",
        customer_id="cus_1",
        period=period_of(sub),
    )
    event = stripe_event("invoice.paid", invoice)
    sent = posted(stripe_post, event)
    assert len(sent) <= INVOICE_PAID, sent
    assert len(posted(stripe_post, event)) <= DUPLICATE
    assert Wallet.objects.get(user_id=owner.pk).allowance == 100
    assert Invoice.objects.get(stripe_invoice_id=invoice["id"]).status == "paid"
    assert Payment.objects.filter(external_id=invoice["id"]).count() == 1
    assert StripeEvent.objects.get(event_id=event["id"]).status == "processed"
