"""Billing pages through the client: what each person may see and do."""

import csv
import io

import pytest

from billing.models import LedgerEntry, Package, Payment, StripeEvent, Wallet
from billing.services import credits_grant, wallet_for
from modelsnapper.testing.faults import failing
from modelsnapper.testing.stripe_events import package_session, stripe_event

Type = LedgerEntry.Type


def test_pricing_lists_plans_and_packs_for_anyone(client, catalog):
    page = client.get("/billing/pricing/")
    assert page.status_code == 200
    for text in (b"Free", b"Plus", b"Pro", b"Starter pack", b"$5.00", b"Test mode", b"human model"):
        assert text in page.content


@pytest.mark.parametrize(
    "path",
    [
        "/billing/wallet/",
        "/billing/ledger/",
        "/billing/ledger.csv",
        "/billing/coins/",
        "/billing/invoices/",
        "/billing/subscription/",
        "/billing/coins/gift/",
    ],
)
def test_money_pages_need_login(client, catalog, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wallet_shows_both_buckets_next_reset_and_coins(owner_client, owner, catalog):
    wallet_for(owner)
    credits_grant(user=owner, amount=50, bucket="purchased", entry_type=Type.PURCHASE, idempotency_key="p")
    page = owner_client.get("/billing/wallet/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<strong>60</strong> available" in text
    assert "10 (Free plan)" in text and "50 (never expire)" in text
    assert "Next reset" in text and "<strong>250</strong> coins" in text


def test_ledger_is_paginated_filterable_and_private(owner_client, owner, stranger, catalog):
    wallet_for(owner)
    wallet_for(stranger)
    for i in range(30):
        credits_grant(
            user=owner, amount=1, bucket="purchased", entry_type=Type.BONUS, idempotency_key=f"b{i}"
        )
    credits_grant(
        user=stranger,
        amount=7,
        bucket="purchased",
        entry_type=Type.BONUS,
        idempotency_key="secret",
        description="stranger-only",
    )
    first = owner_client.get("/billing/ledger/")
    assert first.status_code == 200
    entries = first.context["entries"]
    assert len(entries) == 25 and first.context["next_cursor"]
    assert b"stranger-only" not in first.content
    second = owner_client.get(f"/billing/ledger/?before={first.context['next_cursor']}")
    assert len(second.context["entries"]) == 7  # 30 bonuses + signup grant + welcome coins = 32
    assert not {e.pk for e in entries} & {e.pk for e in second.context["entries"]}
    filtered = owner_client.get("/billing/ledger/?type=coin_bonus")
    assert [e.entry_type for e in filtered.context["entries"]] == ["coin_bonus"]
    assert owner_client.get("/billing/ledger/?before=nonsense").status_code == 404


def test_ledger_csv_export(owner_client, owner, catalog):
    wallet_for(owner)
    credits_grant(
        user=owner,
        amount=5,
        bucket="purchased",
        entry_type=Type.BONUS,
        idempotency_key="csv",
        description='a "quoted", description',
    )
    response = owner_client.get("/billing/ledger.csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # Column names and kinds are words in the requester's language (test_i18n_billing_exports).
    assert rows[0][:5] == ["Date", "Type", "Currency", "Bucket", "Amount"]
    assert len(rows) == 4
    assert rows[-1][1:5] == ["Bonus", "Credits", "Purchased", "5"]
    assert rows[-1][8] == 'a "quoted", description'
    only = owner_client.get("/billing/ledger.csv?type=bonus")
    assert len(list(csv.reader(io.StringIO(b"".join(only.streaming_content).decode())))) == 2


def test_daily_bonus_claims_once_per_day(owner_client, owner, catalog):
    owner_client.post("/billing/coins/daily/")
    owner_client.post("/billing/coins/daily/")
    assert Wallet.objects.get(user_id=owner.pk).coins == 260
    page = owner_client.get("/billing/coins/")
    assert b"claimed today" in page.content and b"Daily bonus" in page.content


def test_gifting_coins_through_the_form(owner_client, owner, friend, catalog):
    response = owner_client.post("/billing/coins/gift/", {"recipient": "friend", "amount": 30, "token": "t1"})
    assert response.status_code == 302
    owner_client.post(
        "/billing/coins/gift/", {"recipient": "friend", "amount": 30, "token": "t1"}
    )  # double submit
    assert Wallet.objects.get(user_id=owner.pk).coins == 220
    assert Wallet.objects.get(user_id=friend.pk).coins == 280
    assert b"Sent to friend" in owner_client.get("/billing/coins/").content


@pytest.mark.parametrize(
    "data, message",
    [
        ({"recipient": "owner", "amount": 5}, b"cannot send coins to yourself"),
        ({"recipient": "nobody-here", "amount": 5}, b"no user with that name"),
        ({"recipient": "friend", "amount": 9999}, b"Not enough coins"),
        ({"recipient": "friend", "amount": 0}, b"greater than or equal to 1"),
    ],
)
def test_gift_form_errors(owner_client, owner, friend, catalog, data, message):
    wallet_for(owner)
    response = owner_client.post("/billing/coins/gift/", {**data, "token": "t1"})
    assert response.status_code == 200
    assert message in response.content
    assert Wallet.objects.get(user_id=owner.pk).coins == 250
    assert not LedgerEntry.objects.filter(entry_type=Type.COIN_GIFT_OUT).exists()


def test_invoices_page_shows_links_and_payments(owner_client, owner, catalog):
    owner_client.post("/billing/checkout/test/price_plus_monthly/", {"outcome": "paid", "token": "t1"})
    owner_client.post("/billing/checkout/test/price_pack_starter/", {"outcome": "paid", "token": "t2"})
    page = owner_client.get("/billing/invoices/")
    assert page.status_code == 200
    assert b"TEST-" in page.content and b">View</a>" in page.content and b"$9.00" in page.content
    assert b"Starter pack" in page.content and b"Plus subscription" in page.content


def test_staff_analytics_is_staff_only(client, owner_client, owner, staff, catalog, stripe_post):
    pack = Package.objects.get(stripe_price_id="price_pack_starter")
    stripe_post(stripe_event("checkout.session.completed", package_session(owner, pack)))
    assert owner_client.get("/billing/staff/analytics/").status_code == 302
    client.force_login(staff)
    page = client.get("/billing/staff/analytics/")
    assert page.status_code == 200
    assert b"$5.00" in page.content and page.context["credits_sold"] == 50


def test_staff_adjustment_page(client, owner, staff, catalog):
    wallet_for(owner)
    client.force_login(staff)
    response = client.post(
        "/billing/staff/adjust/",
        {
            "username": "owner",
            "bucket": "purchased",
            "amount": 15,
            "reason": "Support ticket 42",
            "token": "t1",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(entry_type=Type.ADJUSTMENT)
    assert (entry.amount, entry.description, entry.created_by_id) == (15, "Support ticket 42", staff.pk)
    response = client.post(
        "/billing/staff/adjust/",
        {"username": "owner", "bucket": "coins", "amount": -999, "reason": "x", "token": "t2"},
    )
    assert b"Not enough coins" in response.content


def test_admin_ledger_is_read_only_and_events_can_be_replayed(client, owner, staff, catalog, stripe_post):
    wallet_for(owner)
    client.force_login(staff)
    entry = LedgerEntry.objects.filter(user_id=owner.pk).first()
    assert client.get("/admin/billing/ledgerentry/").status_code == 200
    assert client.get("/admin/billing/ledgerentry/add/").status_code == 403
    assert client.post(f"/admin/billing/ledgerentry/{entry.pk}/delete/").status_code == 403

    pack = Package.objects.get(stripe_price_id="price_pack_starter")
    event = stripe_event("checkout.session.completed", package_session(owner, pack))
    with failing("insert", skip=2):  # the ledger write, after the event record and the Payment row
        assert stripe_post(event).status_code == 500
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert "insert_entries" in stored.error  # the fault hit the ledger write
    response = client.post(
        "/admin/billing/stripeevent/", {"action": "replay", "_selected_action": [str(stored.pk)]}
    )
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.status == "processed"
    assert Payment.objects.get().status == "completed"
    assert Wallet.objects.get(user_id=owner.pk).purchased == 50


def test_ledger_page_query_count_does_not_grow_with_entries(
    owner_client, owner, catalog, django_assert_max_num_queries
):
    wallet_for(owner)
    for i in range(40):
        credits_grant(
            user=owner, amount=1, bucket="purchased", entry_type=Type.BONUS, idempotency_key=f"q{i}"
        )
    with django_assert_max_num_queries(10):
        assert owner_client.get("/billing/ledger/").status_code == 200
    with django_assert_max_num_queries(10):
        assert owner_client.get("/billing/wallet/").status_code == 200
