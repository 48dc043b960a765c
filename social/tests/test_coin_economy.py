"""The coin economy on the ledger (issue #14 items 12 and 13): rewards, tips, badges.

owner: the author whose posts earn rewards and tips; friend: a fan who tips and likes;
crowd: other people whose likes and follows push counters over a threshold.
"""

import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from billing.exceptions import InsufficientCoins
from billing.models import Achievement, LedgerEntry, Wallet
from billing.selectors import ledger_drifts
from billing.services import coins_daily_bonus, wallet_for
from billing.services.coins import ACHIEVEMENT_COINS, REWARD_COINS, Reward, coins_tip
from modelsnapper.testing.factories import UserFactory
from social import services
from social.services.counters import user_stats_add

Type = LedgerEntry.Type


def _together(work, count):
    """Run ``work(i)`` in ``count`` real threads released at once; re-raise any error."""
    errors, barrier = [], threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _coins(user) -> int:
    return Wallet.objects.get(user_id=user.pk).coins


def _entries(user, entry_type):
    return list(LedgerEntry.objects.filter(user_id=user.pk, entry_type=entry_type))


@pytest.fixture
def crowd(db):
    return [UserFactory() for _ in range(12)]


def test_first_post_reward_and_badge_are_paid_once_even_when_posts_are_published_concurrently(
    owner, make_post
):
    _together(lambda i: make_post(caption=f"post {i}"), 6)
    make_post(caption="one more, later")

    [reward] = _entries(owner, Type.COIN_REWARD)
    assert reward.idempotency_key == f"reward:first_post:{owner.pk}"
    assert reward.amount == REWARD_COINS[Reward.FIRST_POST]
    [badge_entry] = _entries(owner, Type.COIN_ACHIEVEMENT)
    assert badge_entry.amount == ACHIEVEMENT_COINS[Achievement.Code.FIRST_POST]
    assert list(Achievement.objects.filter(user_id=owner.pk).values_list("code", flat=True)) == ["first_post"]
    assert ledger_drifts() == []


def test_a_draft_is_not_a_first_post_until_it_is_published(owner, make_post):
    draft = make_post(status="draft")
    assert _entries(owner, Type.COIN_REWARD) == []

    services.post_update(post=draft, editor=owner, status="published")

    assert len(_entries(owner, Type.COIN_REWARD)) == 1


def test_a_post_reaching_ten_likes_pays_its_author_once_even_when_liked_concurrently(owner, make_post, crowd):
    post = make_post()
    before = len(_entries(owner, Type.COIN_REWARD))

    _together(lambda i: services.like_add(user=crowd[i], target=post), 12)
    services.like_remove(user=crowd[0], target=post)
    services.like_add(user=crowd[0], target=post)  # back to 12: no second reward

    likes_rewards = [
        e for e in _entries(owner, Type.COIN_REWARD) if e.idempotency_key.startswith("reward:post_likes")
    ]
    assert len(_entries(owner, Type.COIN_REWARD)) == before + 1
    assert [e.idempotency_key for e in likes_rewards] == [f"reward:post_likes:{post.pk}"]
    assert likes_rewards[0].amount == REWARD_COINS[Reward.POST_LIKES]
    assert ledger_drifts() == []


def test_a_post_with_nine_likes_earns_no_reward(owner, make_post, crowd):
    post = make_post()
    for person in crowd[:9]:
        services.like_add(user=person, target=post)

    assert not LedgerEntry.objects.filter(idempotency_key=f"reward:post_likes:{post.pk}").exists()


def test_ten_followers_grant_the_badge_and_its_coins_once_even_when_they_follow_at_once(owner, crowd):
    wallet_for(owner)
    start = _coins(owner)

    _together(lambda i: services.follow_create(follower=crowd[i], following=owner), 12)

    assert list(Achievement.objects.filter(user_id=owner.pk).values_list("code", flat=True)) == [
        "followers_10"
    ]
    [entry] = _entries(owner, Type.COIN_ACHIEVEMENT)
    assert entry.idempotency_key == f"achievement:{owner.pk}:followers_10"
    assert _coins(owner) == start + ACHIEVEMENT_COINS[Achievement.Code.FOLLOWERS_10]


def test_the_hundredth_like_received_grants_the_100_likes_badge_once(owner, make_post, crowd):
    posts = [make_post(caption=f"post {i}") for i in range(2)]
    user_stats_add(owner.pk, likes_received=98)  # 98 likes on older posts

    services.like_add(user=crowd[0], target=posts[0])  # 99
    assert not Achievement.objects.filter(user_id=owner.pk, code="likes_100").exists()
    services.like_add(user=crowd[1], target=posts[0])  # 100
    services.like_add(user=crowd[2], target=posts[1])  # 101

    assert Achievement.objects.filter(user_id=owner.pk, code="likes_100").count() == 1
    assert LedgerEntry.objects.filter(idempotency_key=f"achievement:{owner.pk}:likes_100").count() == 1


def test_a_tip_moves_coins_from_fan_to_author_exactly_once(owner, friend, make_post):
    post = make_post()
    author_before, fan_before = wallet_for(owner).coins, wallet_for(friend).coins

    coins_tip(sender=friend, post=post, amount=30, idempotency_key="form-token-1")
    coins_tip(sender=friend, post=post, amount=30, idempotency_key="form-token-1")  # the same form sent twice

    assert _coins(friend) == fan_before - 30
    assert _coins(owner) == author_before + 30
    [spent] = _entries(friend, Type.COIN_SPEND)
    [earned] = _entries(owner, Type.COIN_EARN)
    assert (spent.amount, earned.amount) == (-30, 30)
    assert spent.related_id == earned.related_id == str(post.pk)
    assert ledger_drifts() == []


def test_a_tip_larger_than_the_balance_is_refused_and_changes_nothing(owner, friend, make_post):
    post = make_post()
    fan_before, author_before = wallet_for(friend).coins, wallet_for(owner).coins
    entries_before = LedgerEntry.objects.count()

    with pytest.raises(InsufficientCoins):
        coins_tip(sender=friend, post=post, amount=fan_before + 1, idempotency_key="too-much")

    assert (_coins(friend), _coins(owner)) == (fan_before, author_before)
    assert LedgerEntry.objects.count() == entries_before


def test_the_tip_form_on_a_post_says_why_an_overdraft_is_refused(client, owner, friend, make_post):
    post = make_post()
    fan_before = wallet_for(friend).coins
    client.force_login(friend)
    url = reverse("billing:coins_tip", args=[post.pk])

    page = client.get(url)
    assert page.status_code == 200
    token = page.context["form"]["token"].value()
    refused = client.post(url, {"amount": fan_before + 5, "token": token})

    assert refused.status_code == 200
    assert "Not enough coins" in refused.content.decode()
    assert _coins(friend) == fan_before

    sent = client.post(url, {"amount": 5, "token": token})
    assert sent.status_code == 302
    assert _coins(friend) == fan_before - 5


def test_tipping_your_own_post_or_a_nonsense_amount_is_a_form_error(client, owner, make_post):
    post = make_post()
    client.force_login(owner)
    url = reverse("billing:coins_tip", args=[post.pk])
    token = client.get(url).context["form"]["token"].value()

    for amount in ("0", "-3", "abc"):
        response = client.post(url, {"amount": amount, "token": token})
        assert response.status_code == 200
        assert response.context["form"].errors
    own = client.post(url, {"amount": "5", "token": token})
    assert "You can&#x27;t tip your own post." in own.content.decode()
    assert _entries(owner, Type.COIN_SPEND) == []


def test_the_daily_bonus_is_its_own_type_not_the_welcome_coins(owner):
    wallet_for(owner)
    entry, created = coins_daily_bonus(user=owner)

    assert created and entry.entry_type == Type.COIN_DAILY_BONUS
    [welcome] = _entries(owner, Type.COIN_BONUS)
    assert welcome.description == "Welcome coins"
    call_command("reconcile_ledger", verbosity=0)  # raises on any drift


def test_every_coin_transaction_type_of_seed_003_exists():
    seed_types = {"earn", "spend", "purchase", "gift", "reward", "refund", "daily_bonus", "achievement"}
    ours = {value.removeprefix("coin_").removesuffix("_in").removesuffix("_out") for value in Type.values}
    assert seed_types <= ours


def test_the_profile_shows_the_badges_its_owner_earned(client, owner, friend, make_post):
    make_post()
    response = client.get(reverse("accounts:profile", kwargs={"username": owner.username}))
    page = response.content.decode()
    assert "First post" in page
    assert "10 followers" not in page
