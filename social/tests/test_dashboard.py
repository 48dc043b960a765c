"""My dashboard (issue 14 items 4 and 5): credits from the wallet and ledger, AI usage counted
from generations (not posts), my posts' totals with views and engagement rate, recent posts and
activity, in the same number of round trips however much I have made."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from billing.models import Wallet
from billing.services import coins_daily_bonus, credits_charge, credits_refund
from modelsnapper.testing.factories import JobFactory, PostFactory, UserFactory, fund
from modelsnapper.testing.factories.generation import AIModelFactory
from social import services

from .helpers import page_queries

URL = reverse("social:dashboard")

# Round trips of the dashboard itself (middleware and request.user excluded), pinned: credits
# (wallet, plan, this period's usage), AI usage (jobs per model, model names, credits used,
# images), my posts' totals, new followers, recent posts, recent notifications.
DASHBOARD_QUERIES = 11


def test_credits_show_allowance_used_this_period_purchased_credits_and_coins(client, owner):
    fund(owner, 7)  # purchased, on top of the free plan's allowance
    credits_charge(user=owner, amount=4, idempotency_key="test:charge:1")
    credits_charge(user=owner, amount=3, idempotency_key="test:charge:2")
    credits_refund(charge_key="test:charge:2", idempotency_key="test:refund:2", reason="failed")
    coins_before = Wallet.objects.get(user=owner).coins  # welcome coins, if any
    coins_daily_bonus(user=owner)
    client.force_login(owner)

    response = client.get(URL)
    credits = response.context["stats"]["credits"]
    allowance = settings.BILLING_FREE_CREDITS
    assert (credits["allowance_used"], credits["allowance"]) == (4, allowance - 4)
    assert (credits["purchased"], credits["coins"]) == (7, coins_before + settings.BILLING_DAILY_BONUS_COINS)
    page = response.content.decode()
    assert "Allowance used this period" in page and "Purchased credits" in page and "Coins" in page


def test_ai_usage_is_counted_from_generation_jobs_and_images_not_from_posts(client, owner):
    model = AIModelFactory(name="Flux Fast")
    JobFactory(user=owner, ai_model=model, outputs=2)
    JobFactory(user=owner, ai_model=model, outputs=1)
    JobFactory(user=UserFactory(), ai_model=model, outputs=1)  # someone else's
    # An AI post without a generation behind it in this account changes nothing.
    services.post_create(
        author=owner, category="text-post", caption="made elsewhere", ai_details={"model": "Other", "cost": 9}
    )
    client.force_login(owner)

    response = client.get(URL)
    ai = response.context["stats"]["ai"]
    assert (ai["generations"], ai["images"]) == (2, 3)
    assert ai["models"] == [{"name": "Flux Fast", "count": 2}]
    page = response.content.decode()
    assert "Flux Fast" in page and "Other" not in page


def test_total_views_and_engagement_rate_come_from_my_live_posts(client, owner, friend):
    post = PostFactory(author=owner, caption="look at this")
    PostFactory(author=owner, caption="a draft nobody saw", status="draft")
    for viewer in [friend, *(UserFactory() for _ in range(3))]:
        services.post_record_view(post=post, viewer=viewer, client_key="")
    services.like_add(user=friend, target=post)
    services.comment_create(author=friend, post=post, text="nice")
    client.force_login(owner)

    response = client.get(URL)
    stats = response.context["stats"]
    assert stats["totals"]["views"] == 4
    assert stats["totals"]["posts"] == 1
    assert stats["engagement_rate"] == 50.0  # (1 like + 1 comment) / 4 views
    page = response.content.decode()
    assert "50.0%" in page
    assert "likes, comments, saves and shares per 100 views" in page
    assert "look at this" in page  # a recent post
    assert "nice" in page or "commented" in page  # recent activity: the comment's notification


def test_engagement_rate_before_any_view_says_so_instead_of_dividing_by_zero(client, owner):
    PostFactory(author=owner)
    client.force_login(owner)
    response = client.get(URL)
    assert response.context["stats"]["engagement_rate"] is None
    assert "No views yet" in response.content.decode()


def test_dashboard_makes_the_same_round_trips_with_one_or_many_posts_and_jobs(client, owner, friend):
    model = AIModelFactory()
    fund(owner, 5)

    def make(n: int) -> None:
        for _ in range(n):
            post = PostFactory(author=owner)
            services.like_add(user=friend, target=post)  # a notification each
            JobFactory(user=owner, ai_model=model, outputs=1)
            JobFactory(user=owner, ai_model=AIModelFactory(), outputs=1)

    make(1)
    client.force_login(owner)
    client.get(URL)  # the first request records the session; measure the steady state
    small = page_queries(client, URL, owner)
    make(6)
    large = page_queries(client, URL, owner)
    assert small == large
    assert small[0] == DASHBOARD_QUERIES


def test_dashboard_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
