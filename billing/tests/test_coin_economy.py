"""The rest of the coin economy (issue #14 item 12): buying a coin pack through the checkout,
boosting a post into explore's "Boosted" row, the refund when a boosted post is removed, and
reconcile_ledger over all of it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from billing import offline_checkout
from billing.exceptions import InsufficientCoins
from billing.models import Boost, LedgerEntry, Package, Payment, Wallet
from billing.selectors import ledger_drifts
from billing.services import coins_grant, wallet_for
from billing.services.boosts import BoostError, boost_create, boost_refund_for_post
from modelsnapper.testing.factories import PostFactory
from modelsnapper.testing.threads import closes_connections
from social import services as social

Type = LedgerEntry.Type

SIGNUP_COINS = 250  # BILLING_SIGNUP_COINS: what a new wallet starts with


@pytest.fixture
def no_wallet_locks(settings):
    """Threads race for real: no in-process lock turns them into a queue, only the database decides."""
    settings.BILLING_WALLET_LOCKS = False


@pytest.fixture
def coin_pack(catalog):
    return Package.objects.get(stripe_price_id="price_coins_500")


def coins_of(user) -> int:
    return Wallet.objects.get(user_id=user.pk).coins


# --- purchase ---------------------------------------------------------------------------


def test_buying_the_coin_pack_through_the_test_checkout_grants_its_coins_once(owner, coin_pack, settings):
    settings.BILLING_TEST_CHECKOUT = True
    wallet_for(owner)
    session_id = offline_checkout.package_checkout(user=owner, package=coin_pack, token="tok1")
    # The same submission again (a double click): the same session, found fulfilled.
    assert offline_checkout.package_checkout(user=owner, package=coin_pack, token="tok1") == session_id

    wallet = Wallet.objects.get(user_id=owner.pk)
    assert wallet.coins == SIGNUP_COINS + 500
    assert wallet.purchased == 0  # a coin pack buys no credits
    entry = LedgerEntry.objects.get(idempotency_key=f"stripe:checkout:{session_id}")
    assert (entry.entry_type, entry.currency, entry.amount) == (Type.COIN_PURCHASE, "coins", 500)
    payment = Payment.objects.get(external_id=session_id)
    assert (payment.status, payment.amount_cents, payment.credits_purchased) == ("completed", 499, 0)
    assert ledger_drifts() == []


def test_the_coins_page_offers_the_coin_pack_and_the_pricing_page_does_not(owner_client, coin_pack):
    coins_page = owner_client.get("/billing/coins/").content.decode()
    assert "500 coins" in coins_page
    assert "$4.99" in coins_page
    assert f"/billing/checkout/{coin_pack.stripe_price_id}/" in coins_page
    pricing = owner_client.get("/billing/pricing/").content.decode()
    assert coin_pack.stripe_price_id not in pricing
    assert "price_pack_starter" in pricing


def test_the_coin_pack_bought_from_the_coins_page_lands_in_the_wallet(
    owner, owner_client, coin_pack, settings
):
    settings.BILLING_TEST_CHECKOUT = True
    wallet_for(owner)
    page = owner_client.get(f"/billing/checkout/test/{coin_pack.stripe_price_id}/")
    assert "500 coins" in page.content.decode()
    response = owner_client.post(
        f"/billing/checkout/test/{coin_pack.stripe_price_id}/", {"outcome": "paid", "token": "abc"}
    )
    assert response.status_code == 302
    assert coins_of(owner) == SIGNUP_COINS + 500
    assert LedgerEntry.objects.filter(user_id=owner.pk, entry_type=Type.COIN_PURCHASE).count() == 1


# --- boost ------------------------------------------------------------------------------


@pytest.fixture
def post(owner, catalog):
    wallet_for(owner)
    return PostFactory(author=owner)


@pytest.fixture
def start(owner, post) -> int:
    """The author's coins once the post is made (welcome coins and the first-post rewards)."""
    return coins_of(owner)


def test_boosting_my_public_post_spends_the_coins_and_puts_it_in_explores_boosted_row(
    owner, post, client, settings, start
):
    boost = boost_create(user=owner, post=post)

    assert coins_of(owner) == start - settings.COINS_BOOST_COST
    spend = LedgerEntry.objects.get(idempotency_key=f"boost:{boost.pk}:spend")
    assert (spend.entry_type, spend.amount) == (Type.COIN_SPEND, -settings.COINS_BOOST_COST)
    assert boost.ends_at - boost.starts_at == timedelta(hours=settings.COINS_BOOST_HOURS)
    page = client.get("/social/explore/").content.decode()
    assert 'id="boosted-heading"' in page
    assert post.get_absolute_url() in page.split('id="boosted-heading"')[1].split("</section>")[0]


def test_explore_has_no_boosted_row_once_the_boost_has_run_out(owner, post, client):
    boost_create(user=owner, post=post, now=timezone.now() - timedelta(hours=25))
    assert 'id="boosted-heading"' not in client.get("/social/explore/").content.decode()


def test_a_boosted_post_is_not_shown_to_someone_its_author_blocked(owner, post, stranger, client):
    boost_create(user=owner, post=post)
    social.block_create(blocker=owner, blocked=stranger)
    client.force_login(stranger)
    assert 'id="boosted-heading"' not in client.get("/social/explore/").content.decode()


def test_boosting_with_too_few_coins_is_refused_and_changes_nothing(owner, post, settings, start):
    settings.COINS_BOOST_COST = start + 1
    with pytest.raises(InsufficientCoins, match="Not enough coins"):
        boost_create(user=owner, post=post)
    assert coins_of(owner) == start
    assert not Boost.objects.exists()
    assert not LedgerEntry.objects.filter(entry_type=Type.COIN_SPEND).exists()


def test_the_boost_page_says_when_coins_are_short_and_boosts_nothing(
    owner_client, owner, post, settings, start
):
    settings.COINS_BOOST_COST = start + 1
    response = owner_client.post(f"/billing/coins/boost/{post.pk}/")
    assert response.status_code == 400
    assert "Not enough coins" in response.content.decode()
    assert not Boost.objects.exists()


def test_the_boost_page_asks_to_confirm_and_the_confirmation_boosts(owner_client, owner, post, settings):
    page = owner_client.get(f"/billing/coins/boost/{post.pk}/").content.decode()
    assert f"Boost for {settings.COINS_BOOST_HOURS} h ({settings.COINS_BOOST_COST} coins)" in page
    assert not Boost.objects.exists()  # looking is free
    response = owner_client.post(f"/billing/coins/boost/{post.pk}/")
    assert response.status_code == 302
    assert Boost.objects.filter(post_id=post.pk, status="active").count() == 1
    assert "boosted until" in owner_client.get(f"/billing/coins/boost/{post.pk}/").content.decode()


def test_only_the_author_can_boost_a_post(post, stranger, client):
    wallet_for(stranger)
    with pytest.raises(BoostError):
        boost_create(user=stranger, post=post)
    client.force_login(stranger)
    assert client.post(f"/billing/coins/boost/{post.pk}/").status_code == 404
    assert not Boost.objects.exists()


def test_a_private_post_cannot_be_boosted(owner, catalog, start):
    wallet_for(owner)
    private = PostFactory(author=owner, visibility="private")
    with pytest.raises(BoostError, match="public"):
        boost_create(user=owner, post=private)
    assert coins_of(owner) == start


def test_a_second_boost_of_a_boosted_post_is_refused_and_charges_nothing(owner, post, settings, start):
    boost_create(user=owner, post=post)
    with pytest.raises(BoostError, match="already boosted"):
        boost_create(user=owner, post=post)
    assert coins_of(owner) == start - settings.COINS_BOOST_COST
    assert Boost.objects.count() == 1


def test_concurrent_boosts_of_one_post_make_one_boost_and_one_charge(
    owner, post, settings, no_wallet_locks, start
):
    @closes_connections
    def boost(_):
        try:
            return boost_create(user=owner, post=post)
        except BoostError:
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = [b for b in pool.map(boost, range(8)) if b is not None]

    assert len(made) == 1
    assert Boost.objects.filter(status="active").count() == 1
    assert LedgerEntry.objects.filter(entry_type=Type.COIN_SPEND).count() == 1
    assert coins_of(owner) == start - settings.COINS_BOOST_COST
    assert ledger_drifts() == []


def test_a_post_can_be_boosted_again_after_its_boost_ran_out(owner, post, settings, start):
    boost_create(user=owner, post=post, now=timezone.now() - timedelta(hours=25))
    boost_create(user=owner, post=post)
    assert sorted(Boost.objects.values_list("status", flat=True)) == ["active", "expired"]
    assert coins_of(owner) == start - 2 * settings.COINS_BOOST_COST


# --- refund -----------------------------------------------------------------------------


def test_deleting_a_boosted_post_refunds_the_boost_once(owner, post, settings, start):
    boost = boost_create(user=owner, post=post)
    social.post_delete(post=post, by=owner)

    assert coins_of(owner) == start
    refund = LedgerEntry.objects.get(idempotency_key=f"boost:{boost.pk}:refund")
    assert (refund.entry_type, refund.amount) == (Type.COIN_REFUND, settings.COINS_BOOST_COST)
    assert Boost.objects.get(pk=boost.pk).status == "refunded"
    assert boost_refund_for_post(post_id=post.pk) == []  # again: nothing more
    assert coins_of(owner) == start


def test_moderators_removing_a_boosted_post_refund_its_boost(owner, post, staff, start):
    boost_create(user=owner, post=post)
    social.moderation_apply(by=staff, target_type="post", target_id=post.pk, action="remove", reason="spam")
    assert coins_of(owner) == start
    assert LedgerEntry.objects.filter(entry_type=Type.COIN_REFUND).count() == 1


def test_a_boost_that_ran_its_full_time_is_not_refunded_when_the_post_is_deleted(
    owner, post, settings, start
):
    boost_create(user=owner, post=post, now=timezone.now() - timedelta(hours=25))
    social.post_delete(post=post, by=owner)
    assert coins_of(owner) == start - settings.COINS_BOOST_COST
    assert not LedgerEntry.objects.filter(entry_type=Type.COIN_REFUND).exists()


def test_concurrent_refunds_of_one_boost_pay_back_once(owner, post, no_wallet_locks, start):
    boost_create(user=owner, post=post)

    @closes_connections
    def refund(_):
        return len(boost_refund_for_post(post_id=post.pk))

    with ThreadPoolExecutor(max_workers=6) as pool:
        written = sum(pool.map(refund, range(6)))

    assert written == 1
    assert coins_of(owner) == start
    assert LedgerEntry.objects.filter(entry_type=Type.COIN_REFUND).count() == 1
    assert ledger_drifts() == []


# --- reconcile_ledger -------------------------------------------------------------------


def test_a_history_of_purchase_boost_refund_and_earnings_reconciles_clean(
    owner, stranger, post, coin_pack, settings, capsys
):
    settings.BILLING_TEST_CHECKOUT = True
    offline_checkout.package_checkout(user=owner, package=coin_pack, token="t")
    boost_create(user=owner, post=post)
    social.post_delete(post=post, by=owner)
    coins_grant(user=stranger, amount=2, idempotency_key="remix:x", entry_type=Type.COIN_EARN)
    types = set(LedgerEntry.objects.filter(currency="coins").values_list("entry_type", flat=True))
    assert {Type.COIN_PURCHASE, Type.COIN_SPEND, Type.COIN_REFUND, Type.COIN_EARN} <= types

    call_command("reconcile_ledger")
    assert "No drift" in capsys.readouterr().out


def test_reconcile_ledger_reports_a_tampered_coin_balance(owner, post, capsys):
    boost_create(user=owner, post=post)
    Wallet.objects.filter(user_id=owner.pk).update(coins=9999)

    with pytest.raises(CommandError):
        call_command("reconcile_ledger")
    err = capsys.readouterr().err
    assert "coins" in err
    assert "9999" in err
