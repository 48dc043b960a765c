"""Billing speed: charges, contention, webhooks and quota resets.

Starts its own SecantusDB, migrates a fresh database, then measures
- transactional charges per second on one hot wallet, single-threaded, against
  the single-document conditional update they are built around (target: <= 3x);
- 500 charges from 8 threads on one hot wallet (target: < 10 s, exact result);
- signed Stripe webhook events processed per second (through the real view);
- reset_quotas over 10,000 due wallets (target: < 60 s) and a re-run (no change).
Run: .venv/bin/python benchmarks/billing_ledger.py [--users 10000]
"""

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import django_setup

from modelsnapper import embedded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--charges", type=int, default=500)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()

    os.environ.pop("STRIPE_SECRET_KEY", None)  # offline test mode: Stripe is never called
    with embedded.throwaway_server("bench-billing-") as server:
        django_setup(server.uri, "bench_billing")
        run(args)


def run(args) -> None:
    import stripe
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import F
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from billing import offline_checkout
    from billing.models import LedgerEntry, Package, Wallet
    from billing.seed import seed_catalog
    from billing.selectors import ledger_drifts
    from billing.services import credits_charge, credits_grant, wallet_for
    from billing.services.quotas import quotas_reset
    from billing.services.webhooks import event_build

    call_command("migrate", verbosity=0)
    seed_catalog()

    class Results(dict):
        def __setitem__(self, key, value):
            super().__setitem__(key, value)
            print(f"{key:40} {value}", flush=True)

    results = Results()

    # 1. Single-threaded: conditional update vs transactional charge.
    hot = User.objects.create_user(username="hot", email="hot@example.com", password="x")
    wallet = wallet_for(hot)
    n = args.charges
    Wallet.objects.filter(pk=wallet.pk).update(coins=n * 10)
    started = time.perf_counter()
    for _ in range(n):
        assert Wallet.objects.filter(pk=wallet.pk, coins__gte=1).update(coins=F("coins") - 1) == 1
    update_s = time.perf_counter() - started
    Wallet.objects.filter(pk=wallet.pk).update(coins=wallet.coins)  # undo the raw writes
    credits_grant(
        user=hot, amount=n * 3, bucket="purchased", entry_type="bonus", idempotency_key="bench:seed"
    )
    started = time.perf_counter()
    for i in range(n):
        credits_charge(user=hot, amount=1, idempotency_key=f"bench:single:{i}")
    charge_s = time.perf_counter() - started
    results["conditional_update_per_s"] = round(n / update_s)
    results["charge_single_thread_per_s"] = round(n / charge_s)
    results["charge_cost_vs_conditional_update"] = round(charge_s / update_s, 2)

    # 2. 8 threads, one hot wallet.
    def charge(i):
        credits_charge(user=hot, amount=1, idempotency_key=f"bench:threads:{i}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(charge, range(n)))
    threads_s = time.perf_counter() - started
    results["charge_8_threads_per_s"] = round(n / threads_s)
    results["contended_500_charges_s"] = round(threads_s * 500 / n, 2)
    assert Wallet.objects.get(pk=wallet.pk).credits == wallet.allowance + n * 3 - 2 * n

    # 3. Webhook events through the real view (signature, record, fulfil).
    package = Package.objects.get(stripe_price_id="price_pack_starter")
    client = Client()
    bodies = []
    for _ in range(args.events):
        session = offline_checkout.checkout_session(
            user=hot,
            price_id=package.stripe_price_id,
            mode="payment",
            amount=package.price_cents,
            currency="usd",
        )
        bodies.append(json.dumps(event_build("checkout.session.completed", session)))
    started = time.perf_counter()
    for body in bodies:
        header = stripe.WebhookSignature.generate_signature_header(body, settings.STRIPE_WEBHOOK_SECRET)
        response = client.post(
            "/billing/webhooks/stripe/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
        assert response.status_code == 200, response.content
    webhook_s = time.perf_counter() - started
    results["webhook_events_per_s"] = round(args.events / webhook_s)

    # 4. reset_quotas over many due wallets.
    now = timezone.now()
    due = now - timedelta(hours=1)
    password = User.objects.get(pk=hot.pk).password
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", email=f"bench{i}@example.com", password=password)
            for i in range(args.users)
        ]
    )
    # Period ends are distinct, as in life (anchored to each sign-up or Stripe period).
    wallets = Wallet.objects.bulk_create(
        [
            Wallet(
                user_id=u.pk,
                allowance=10,
                period_start=due - timedelta(days=30),
                period_end=due - timedelta(seconds=i),
            )
            for i, u in enumerate(users)
        ]
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                user_id=w.user_id,
                entry_type="subscription_grant",
                currency="credits",
                bucket="allowance",
                amount=10,
                allowance_delta=10,
                allowance_after=10,
                purchased_after=0,
                coins_after=0,
                balance_after=10,
                idempotency_key=f"signup:{w.user_id}",
            )
            for w in wallets
        ]
    )
    started = time.perf_counter()
    report = quotas_reset(now=now, workers=settings.BILLING_RESET_WORKERS)
    reset_s = time.perf_counter() - started
    started = time.perf_counter()
    again = quotas_reset(now=now, workers=settings.BILLING_RESET_WORKERS)
    rerun_s = time.perf_counter() - started
    results["reset_quotas_users"] = args.users
    results["reset_quotas_s"] = round(reset_s, 1)
    results["reset_quotas_wallets_reset"] = report.reset
    results["reset_quotas_rerun_changes"] = again.reset
    results["reset_quotas_rerun_s"] = round(rerun_s, 2)
    drifts = ledger_drifts()
    results["ledger_drifts"] = len(drifts)

    ok = (
        results["contended_500_charges_s"] < 10
        and results["charge_cost_vs_conditional_update"] <= 3
        and reset_s < 60 * args.users / 10_000
        and again.reset == 0
        and not drifts
    )
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
