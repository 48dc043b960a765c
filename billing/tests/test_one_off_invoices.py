"""Invoices for one-off purchases (issue #15 item 5, seed 001): a package checkout asks Stripe for
an invoice (``invoice_creation``), and the invoice Stripe then issues shows on the invoices page
with its PDF and hosted links, like a subscription's. Its money is the checkout's payment, so
it never counts a second time.

Stripe's HTTP API is the local stub; events are the recorded payloads in ``payloads/``, signed
in the test and posted to the real webhook.
"""

from billing.models import Invoice, Payment, Wallet
from billing.services.webhooks import event_build

from .helpers import one_off_invoice, paid_session


def test_a_package_checkout_asks_stripe_for_an_invoice_that_names_the_buyer(
    owner_client, owner, catalog, stripe_stub
):
    assert owner_client.post("/billing/checkout/price_pack_starter/", {"token": "t1"}).status_code == 302

    form = stripe_stub.requests[-1][2]
    assert form["mode"] == "payment"
    assert form["invoice_creation[enabled]"] == "true"
    assert form["invoice_creation[invoice_data][metadata][user_id]"] == str(owner.pk)
    assert form["invoice_creation[invoice_data][metadata][price_id]"] == "price_pack_starter"


def test_a_subscription_checkout_leaves_invoicing_to_the_subscription(owner_client, catalog, stripe_stub):
    assert owner_client.post("/billing/checkout/price_plus_monthly/", {"token": "t1"}).status_code == 302

    form = stripe_stub.requests[-1][2]
    assert form["mode"] == "subscription"
    assert not [key for key in form if key.startswith("invoice_creation")]


def test_the_invoice_of_a_package_shows_on_the_invoices_page_with_pdf_and_hosted_links(
    owner_client, owner, catalog, stripe_post
):
    session = paid_session(owner)
    inv = one_off_invoice(session)

    assert stripe_post(event_build("checkout.session.completed", session)).status_code == 200
    assert stripe_post(event_build("invoice.paid", inv)).status_code == 200

    invoice = Invoice.objects.get(user_id=owner.pk)
    assert (invoice.stripe_invoice_id, invoice.status, invoice.amount_paid) == (inv["id"], "paid", 500)
    assert invoice.line_items[0].price_id == "price_pack_starter"
    page = owner_client.get("/billing/invoices/").content.decode()
    assert "MSNP1234-0042" in page
    assert f'href="{inv["invoice_pdf"]}"' in page
    assert f'href="{inv["hosted_invoice_url"]}"' in page
    shown = owner_client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert "Starter pack" in shown and "$5.00" in shown
    # The invoice is a receipt for the checkout's payment: one payment, one grant.
    assert Payment.objects.filter(user_id=owner.pk).count() == 1
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50


def test_an_invoice_arriving_before_its_checkout_still_makes_one_payment_and_one_grant(
    owner, catalog, stripe_post
):
    session = paid_session(owner)

    stripe_post(event_build("invoice.paid", one_off_invoice(session)))
    stripe_post(event_build("checkout.session.completed", session))
    stripe_post(event_build("invoice.paid", one_off_invoice(session)))  # Stripe retries, too

    assert Invoice.objects.filter(user_id=owner.pk).count() == 1
    payment = Payment.objects.get(user_id=owner.pk)
    assert (payment.external_id, payment.amount_cents, payment.credits_purchased) == (session["id"], 500, 50)
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50


def test_a_test_mode_package_purchase_issues_its_invoice_too(owner_client, owner, catalog):
    owner_client.post("/billing/checkout/test/price_pack_starter/", {"outcome": "paid", "token": "t1"})

    invoice = Invoice.objects.get(user_id=owner.pk)
    assert invoice.is_offline and invoice.status == "paid" and invoice.amount_paid == 500
    page = owner_client.get("/billing/invoices/").content.decode()
    assert f'href="/billing/invoices/{invoice.pk}/"' in page
    assert Payment.objects.filter(user_id=owner.pk).count() == 1
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50
