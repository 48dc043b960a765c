"""The invoices page: a rendered invoice behind every link, and a query count that does not grow."""

import re

import pytest

from billing.models import Invoice, Package, Payment

# The signed-in user, the invoices, the payments and their packages (one query for all).
QUERIES = 4


def buy_plus_in_test_mode(client) -> Invoice:
    client.post("/billing/checkout/test/price_plus_monthly/", {"outcome": "paid", "token": "t1"})
    return Invoice.objects.get()


def test_a_test_mode_invoice_links_to_its_rendered_invoice_on_this_site(owner_client, owner, catalog):
    invoice = buy_plus_in_test_mode(owner_client)
    page = owner_client.get("/billing/invoices/").content.decode()
    links = re.findall(r'href="([^"]*)"[^>]*>(?:View|PDF)<', page)
    assert links == [f"/billing/invoices/{invoice.pk}/"]
    assert "#test-mode" not in page and ":8000" not in page

    shown = owner_client.get(links[0])
    assert shown.status_code == 200
    text = shown.content.decode()
    assert invoice.number in text
    assert "1 × Plus (monthly)" in text
    assert "$9.00" in text
    assert invoice.line_items[0].period_start.strftime("%B %-d, %Y")[:3] in text
    assert "Paid" in text
    assert "900" not in re.sub(r"<[^>]+>", " ", text)  # amounts in currency, never cents


def test_someone_elses_invoice_and_a_malformed_id_are_404(client, owner_client, stranger, catalog):
    invoice = buy_plus_in_test_mode(owner_client)
    client.force_login(stranger)
    assert client.get(f"/billing/invoices/{invoice.pk}/").status_code == 404
    assert client.get("/billing/invoices/not-an-id/").status_code == 404


def test_a_stripe_invoice_keeps_its_pdf_and_hosted_links_beside_ours(owner_client, owner, catalog):
    invoice = Invoice.objects.create(
        user=owner,
        stripe_invoice_id="in_1AbC",
        number="ABC-0001",
        amount_due=900,
        amount_paid=900,
        status="paid",
        pdf_url="https://pay.stripe.com/invoice/acct_1/in_1AbC/pdf",
        hosted_invoice_url="https://invoice.stripe.com/i/acct_1/in_1AbC",
    )
    page = owner_client.get("/billing/invoices/").content.decode()
    assert f'href="/billing/invoices/{invoice.pk}/"' in page
    assert 'href="https://pay.stripe.com/invoice/acct_1/in_1AbC/pdf"' in page
    assert 'href="https://invoice.stripe.com/i/acct_1/in_1AbC"' in page


@pytest.mark.parametrize("payments", [1, 7])
def test_the_invoices_page_reads_a_fixed_number_of_times_whatever_the_payments(
    payments, owner_client, owner, catalog, django_assert_num_queries
):
    pack = Package.objects.get(stripe_price_id="price_pack_starter")
    for i in range(payments):
        Payment.objects.create(
            user=owner, external_id=f"cs_q{i}", amount_cents=500, status="completed", package=pack
        )
    owner_client.get("/billing/invoices/")  # the session and user are warm, as on any later page
    with django_assert_num_queries(QUERIES):
        page = owner_client.get("/billing/invoices/")
    assert page.content.decode().count("Starter pack") == payments
