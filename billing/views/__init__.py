"""Billing pages: thin views over selectors and services, one module per concern."""

from billing.views.checkout import checkout, checkout_success, pricing, stripe_webhook, test_checkout_page
from billing.views.coins import coins, coins_daily, coins_gift, coins_tip
from billing.views.staff import staff_adjust, staff_analytics
from billing.views.subscription import (
    subscription,
    subscription_cancel,
    subscription_change,
    subscription_portal,
)
from billing.views.wallet import invoice, invoices, ledger, ledger_csv, wallet

__all__ = [
    "checkout",
    "checkout_success",
    "coins",
    "coins_daily",
    "coins_gift",
    "coins_tip",
    "invoice",
    "invoices",
    "ledger",
    "ledger_csv",
    "pricing",
    "staff_adjust",
    "staff_analytics",
    "stripe_webhook",
    "subscription",
    "subscription_cancel",
    "subscription_change",
    "subscription_portal",
    "test_checkout_page",
    "wallet",
]
