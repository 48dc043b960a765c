"""A form sent twice (a double click, a resubmitted page) is one action, keyed on what it carried."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from django.test import Client

from billing.models import LedgerEntry, Wallet
from modelsnapper.testing.threads import closes_connections

Type = LedgerEntry.Type


def token_in(page) -> str:
    """The submission token the page rendered into its form."""
    match = re.search(rb'name="token" value="([^"]+)"', page.content)
    assert match, "the form carries no submission token"
    return match.group(1).decode()


def adjustment(token: str, amount: int = 5) -> dict:
    return {
        "username": "owner",
        "bucket": "purchased",
        "amount": amount,
        "reason": "goodwill",
        "token": token,
    }


def test_a_double_submitted_staff_adjustment_applies_once(client, staff, owner, wallet):
    client.force_login(staff)
    token = token_in(client.get("/billing/staff/adjust/"))
    assert client.post("/billing/staff/adjust/", adjustment(token)).status_code == 302
    assert client.post("/billing/staff/adjust/", adjustment(token)).status_code == 302
    assert Wallet.objects.get(user_id=owner.pk).purchased == 5
    assert LedgerEntry.objects.filter(user_id=owner.pk, entry_type=Type.ADJUSTMENT).count() == 1


def test_the_same_adjustment_submitted_twice_at_once_applies_once(client, staff, owner, wallet):
    client.force_login(staff)
    token = token_in(client.get("/billing/staff/adjust/"))
    barrier = threading.Barrier(2)

    @closes_connections
    def submit(_):
        browser = Client()
        browser.force_login(staff)
        barrier.wait()
        return browser.post("/billing/staff/adjust/", adjustment(token)).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(submit, range(2))) == [302, 302]
    assert Wallet.objects.get(user_id=owner.pk).purchased == 5
    assert LedgerEntry.objects.filter(user_id=owner.pk, entry_type=Type.ADJUSTMENT).count() == 1


def test_two_renderings_of_the_adjust_form_are_two_adjustments(client, staff, owner, wallet):
    client.force_login(staff)
    first = token_in(client.get("/billing/staff/adjust/"))
    second = token_in(client.get("/billing/staff/adjust/"))
    assert first != second
    client.post("/billing/staff/adjust/", adjustment(first))
    client.post("/billing/staff/adjust/", adjustment(second))
    assert Wallet.objects.get(user_id=owner.pk).purchased == 10


def test_an_adjustment_without_its_token_changes_nothing_and_says_so(client, staff, owner, wallet):
    client.force_login(staff)
    data = adjustment("")
    del data["token"]
    page = client.post("/billing/staff/adjust/", data)
    assert page.status_code == 200
    assert b"This form had expired" in page.content
    token_in(page)  # a fresh token to submit with
    assert Wallet.objects.get(user_id=owner.pk).purchased == 0


def test_a_resubmitted_checkout_reuses_its_stripe_idempotency_key_and_opens_the_same_session(
    owner_client, owner, catalog, stripe_stub
):
    token = token_in(owner_client.get("/billing/pricing/"))
    first = owner_client.post("/billing/checkout/price_pack_starter/", {"token": token})
    second = owner_client.post("/billing/checkout/price_pack_starter/", {"token": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    keys = [headers["Idempotency-Key"] for method, path, form, headers in stripe_stub.requests]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert len(stripe_stub.sessions) == 1


def test_a_new_visit_to_the_pricing_page_opens_a_new_checkout_session(owner_client, catalog, stripe_stub):
    for _ in range(2):
        token = token_in(owner_client.get("/billing/pricing/"))
        owner_client.post("/billing/checkout/price_pack_starter/", {"token": token})
    assert len(stripe_stub.sessions) == 2


def test_a_checkout_without_its_token_goes_back_to_pricing_and_calls_stripe_never(
    owner_client, catalog, stripe_stub
):
    response = owner_client.post("/billing/checkout/price_pack_starter/", follow=True)
    assert response.redirect_chain[-1][0] == "/billing/pricing/"
    assert b"This page had expired" in response.content
    assert not stripe_stub.requests


def test_a_double_submitted_test_checkout_grants_once(owner_client, owner, catalog):
    token = token_in(owner_client.get("/billing/checkout/test/price_pack_starter/"))
    first = owner_client.post(
        "/billing/checkout/test/price_pack_starter/", {"outcome": "paid", "token": token}
    )
    second = owner_client.post(
        "/billing/checkout/test/price_pack_starter/", {"outcome": "paid", "token": token}
    )
    assert first["Location"] == second["Location"]
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50


def test_a_double_submitted_removal_is_a_no_op_not_a_not_enough_error(client, staff, owner, wallet):
    client.force_login(staff)
    token = token_in(client.get("/billing/staff/adjust/"))
    data = {**adjustment(token, amount=-10), "bucket": "allowance"}
    assert client.post("/billing/staff/adjust/", data).status_code == 302
    assert client.post("/billing/staff/adjust/", data).status_code == 302
    assert Wallet.objects.get(user_id=owner.pk).allowance == 0
