"""Stripe saying no (a declined card, an outage) is a message on the page the user came from, never a 500."""

import logging

import pytest

from billing.models import Subscription

CARD_DECLINED = (
    402,
    {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "generic_decline",
            "message": "Your card was declined.",
        }
    },
)
STRIPE_DOWN = (500, {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}})


@pytest.mark.parametrize(
    "path, data, came_from",
    [
        ("/billing/checkout/price_pack_starter/", {"token": "t1"}, "/billing/pricing/"),
        ("/billing/subscription/portal/", {}, "/billing/subscription/"),
        ("/billing/subscription/cancel/", {}, "/billing/subscription/"),
        ("/billing/subscription/resume/", {}, "/billing/subscription/"),
        ("/billing/subscription/change/", {"price_id": "price_pro_monthly"}, "/billing/subscription/"),
    ],
)
def test_stripe_being_down_is_a_message_on_the_page_the_user_came_from(
    path, data, came_from, owner_client, subscriber, catalog, stripe_stub, caplog
):
    stripe_stub.failing = STRIPE_DOWN
    with caplog.at_level(logging.WARNING, logger="billing.views"):
        response = owner_client.post(path, data, HTTP_REFERER=f"http://testserver{came_from}")
    assert response.status_code == 302
    assert response["Location"] == came_from
    page = owner_client.get(response["Location"])
    assert b"could not reach our payment provider" in page.content
    assert b"Nothing was charged" in page.content
    # The log line carries Stripe's id for the failed request, to look it up in Stripe's dashboard.
    assert stripe_stub.request_ids[-1] in caplog.text


def test_a_declined_card_says_so_and_changes_nothing(owner_client, subscriber, catalog, stripe_stub):
    stripe_stub.failing = CARD_DECLINED
    response = owner_client.post(
        "/billing/subscription/change/",
        {"price_id": "price_pro_monthly"},
        HTTP_REFERER="http://testserver/billing/subscription/",
        follow=True,
    )
    assert response.redirect_chain == [("/billing/subscription/", 302)]
    assert b"Your card was declined." in response.content
    assert Subscription.objects.get(user_id=subscriber.pk).tier == "plus"


def test_a_referer_on_another_site_is_not_followed(owner_client, subscriber, catalog, stripe_stub):
    stripe_stub.failing = STRIPE_DOWN
    response = owner_client.post("/billing/subscription/cancel/", HTTP_REFERER="https://evil.example/")
    assert response["Location"] == "/billing/subscription/"
