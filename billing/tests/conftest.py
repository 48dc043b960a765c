import pytest

from billing.seed import seed_catalog
from modelsnapper.testing.factories import SubscriptionFactory
from modelsnapper.testing.stripe_stub import StripeStub


@pytest.fixture
def catalog(db):
    """The seeded plans (free 10 / plus 100 / pro 1000) and credit packs."""
    seed_catalog()


@pytest.fixture
def wallet(owner, catalog):
    """The owner's wallet: 10 free allowance credits and 250 welcome coins."""
    from billing.services import wallet_for

    return wallet_for(owner)


@pytest.fixture
def stripe_post(client, settings):
    """Post a Stripe-format event to the real webhook, signed like Stripe signs it."""
    import json

    import stripe

    def post(event, *, secret=None, timestamp=None, body=None, http=None):
        payload = body if body is not None else json.dumps(event)
        header = stripe.WebhookSignature.generate_signature_header(
            payload if isinstance(payload, str) else payload.decode(),
            secret or settings.STRIPE_WEBHOOK_SECRET,
            timestamp=timestamp,
        )
        if body is not None and event is not None:
            payload = json.dumps(event)  # tampered: signed one body, send another
        return (http or client).post(
            "/billing/webhooks/stripe/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )

    return post


@pytest.fixture
def subscriber(owner, stripe_stub):
    """The owner on the Plus plan, monthly, with the subscription on Stripe (the stub) too."""
    SubscriptionFactory(user=owner, stripe_customer_id="cus_9", stripe_subscription_id="sub_9")
    stripe_stub.subscriptions["sub_9"] = {
        "id": "sub_9",
        "object": "subscription",
        "cancel_at_period_end": False,
        "items": {"object": "list", "data": [{"id": "si_9", "price": {"id": "price_plus_monthly"}}]},
    }
    return owner


@pytest.fixture
def stripe_stub(settings):
    """Stripe configured (keys set) and its HTTP API answered by a local stub."""
    with StripeStub() as stub:
        settings.STRIPE_SECRET_KEY = "sk_test_stub"
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_stub"
        settings.STRIPE_API_BASE = stub.url
        settings.STRIPE_WEBHOOK_SECRET = "whsec_stub_secret"
        settings.BILLING_TEST_CHECKOUT = False
        yield stub
