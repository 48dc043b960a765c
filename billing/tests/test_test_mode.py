"""Simulated payments only where someone chose them: never by default with DEBUG off."""

import pytest

from billing.models import Wallet
from modelsnapper.testing.settings import production, run_with

# Every other production requirement met, so only the billing settings decide.
PRODUCTION = production(
    without=("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "C2PA_SIGNING_CERT_PEM", "C2PA_SIGNING_KEY_PEM"),
    C2PA_ENABLED="false",
)
PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.BILLING_TEST_CHECKOUT, s.STRIPE_WEBHOOK_SECRET, s.REPLICATE_WEBHOOK_SECRET)"
)


def start(**env):
    """Django set up in a fresh interpreter with only these variables."""
    return run_with(PRINT, DJANGO_SETTINGS_MODULE="modelsnapper.settings", **env)


def test_production_without_a_webhook_secret_refuses_to_start_with_a_sentence():
    result = start(**PRODUCTION, STRIPE_SECRET_KEY="sk_live_x")
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET is required" in result.stderr
    assert "public development secret is never used" in result.stderr


def test_production_without_a_stripe_key_refuses_to_start_unless_the_test_checkout_is_chosen():
    result = start(**PRODUCTION, STRIPE_WEBHOOK_SECRET="whsec_real")
    assert result.returncode != 0
    assert "STRIPE_SECRET_KEY is required when DEBUG is off" in result.stderr


def test_production_with_stripe_has_no_test_checkout_and_no_development_secrets():
    result = start(**PRODUCTION, STRIPE_WEBHOOK_SECRET="whsec_real", STRIPE_SECRET_KEY="sk_live_x")
    assert result.returncode == 0, result.stderr
    test_checkout, secret, replicate_secret = result.stdout.split()
    assert (test_checkout, secret) == ("False", "whsec_real")
    assert replicate_secret != "whsec_bG9jYWwtZGV2ZWxvcG1lbnQtb25seQ=="  # the public development one


def test_production_turns_the_test_checkout_on_only_when_told_to():
    result = start(**PRODUCTION, STRIPE_WEBHOOK_SECRET="whsec_real", BILLING_TEST_CHECKOUT="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def test_the_test_checkout_and_a_stripe_key_together_are_refused():
    result = start(
        **PRODUCTION,
        STRIPE_WEBHOOK_SECRET="whsec_real",
        STRIPE_SECRET_KEY="sk_live_x",
        BILLING_TEST_CHECKOUT="true",
    )
    assert result.returncode != 0
    assert "BILLING_TEST_CHECKOUT cannot be on while STRIPE_SECRET_KEY is set" in result.stderr


def test_production_with_replicate_and_no_replicate_secret_refuses_to_start():
    result = start(
        **PRODUCTION,
        STRIPE_WEBHOOK_SECRET="whsec_real",
        STRIPE_SECRET_KEY="sk_live_x",
        GENERATION_PROVIDER="replicate",
    )
    assert result.returncode != 0
    assert "REPLICATE_WEBHOOK_SECRET is required" in result.stderr


def test_development_has_the_test_checkout_and_local_secrets_with_no_environment():
    result = start(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["True", "whsec_local_development_only"]


@pytest.fixture
def no_test_checkout(settings):
    """Production without Stripe: DEBUG off, no key, test checkout not turned on."""
    settings.BILLING_TEST_CHECKOUT = False
    settings.STRIPE_SECRET_KEY = ""


def test_without_the_test_checkout_a_paid_test_purchase_is_404_and_grants_nothing(
    owner_client, owner, catalog, no_test_checkout
):
    response = owner_client.post(
        "/billing/checkout/test/price_pack_starter/", {"outcome": "paid", "token": "t1"}
    )
    assert response.status_code == 404
    assert not Wallet.objects.filter(user_id=owner.pk, purchased__gt=0).exists()


def test_without_stripe_or_the_test_checkout_buying_says_payments_are_unavailable(
    owner_client, catalog, no_test_checkout
):
    response = owner_client.post("/billing/checkout/price_pack_starter/", {"token": "t1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/billing/pricing/"
    assert b"Purchases are not available" in response.content


def test_every_page_says_test_mode_while_the_test_checkout_is_on(client, owner_client, catalog, settings):
    settings.BILLING_TEST_CHECKOUT = True
    for page in (client.get("/"), owner_client.get("/billing/wallet/")):
        assert b"Test mode:" in page.content


def test_no_test_mode_banner_when_payments_are_real(client, catalog, stripe_stub):
    assert b"Test mode:" not in client.get("/").content
