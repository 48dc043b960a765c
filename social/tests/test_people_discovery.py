"""People discovery (issue 14, item 2): trending creators and who to follow."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.services import user_soft_delete
from modelsnapper.testing.factories import UserFactory
from social import services
from social.selectors.people import trending_creators, who_to_follow


@pytest.fixture(autouse=True)
def _fresh_snapshots(db):
    cache.clear()  # the trending snapshot and follow lists are cached between requests


def _names(people) -> list[str]:
    return [p.username for p in people]


def test_who_to_follow_puts_friends_of_friends_first_most_shared_first(owner):
    a, b = UserFactory(username="amy"), UserFactory(username="ben")
    popular, niche = UserFactory(username="popular"), UserFactory(username="niche")
    for mine in (a, b):
        services.follow_create(follower=owner, following=mine)
    services.follow_create(follower=a, following=popular)
    services.follow_create(follower=b, following=popular)
    services.follow_create(follower=b, following=niche)
    assert _names(who_to_follow(owner))[:2] == ["popular", "niche"]


def test_who_to_follow_fills_up_with_creators_who_posted_lately(owner):
    quiet = UserFactory(username="quiet")
    active = UserFactory(username="active")
    services.post_create(author=active, category="text-post", caption="fresh post")
    suggestions = _names(who_to_follow(owner))
    assert "active" in suggestions and quiet.username not in suggestions


def test_suggestions_leave_out_me_my_follows_blocks_either_way_and_deleted_people(owner):
    followed, i_blocked, blocked_me, gone, fine = (
        UserFactory(username=n) for n in ("followed", "iblocked", "blockedme", "gone", "fine")
    )
    friend_of_mine = UserFactory(username="bridge")
    services.follow_create(follower=owner, following=friend_of_mine)
    for person in (followed, i_blocked, blocked_me, gone, fine, owner):
        services.follow_create(follower=friend_of_mine, following=person)
        services.post_create(author=person, category="text-post", caption="recent")
        services.like_add(
            user=friend_of_mine,
            target=services.post_create(author=person, category="text-post", caption="liked"),
        )
    services.follow_create(follower=owner, following=followed)
    services.block_create(blocker=owner, blocked=i_blocked)
    services.block_create(blocker=blocked_me, blocked=owner)
    user_soft_delete(user=gone)
    cache.clear()
    for found in (_names(who_to_follow(owner)), _names(trending_creators(owner))):
        assert "fine" in found
        assert not {"owner", "followed", "iblocked", "blockedme", "gone", "bridge"} & set(found), found


def test_trending_creators_are_ranked_by_the_weeks_engagement_on_their_posts(owner, friend, stranger):
    big, small = UserFactory(username="big"), UserFactory(username="small")
    big_post = services.post_create(author=big, category="text-post", caption="a hit")
    small_post = services.post_create(author=small, category="text-post", caption="a quiet one")
    for fan in (friend, stranger):
        services.like_add(user=fan, target=big_post)
    services.comment_create(author=friend, post=big_post, text="wow")
    services.like_add(user=friend, target=small_post)
    assert _names(trending_creators(owner))[:2] == ["big", "small"]


def test_the_discover_page_shows_both_lists_with_follow_buttons(client, owner, friend):
    creator = UserFactory(username="painter", full_name="Pat Painter")
    services.like_add(
        user=friend, target=services.post_create(author=creator, category="text-post", caption="art")
    )
    client.force_login(owner)
    response = client.get(reverse("social:discover_people"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trending creators" in body and "Who to follow" in body
    assert "Pat Painter" in body
    assert reverse("social:follow_toggle", args=["painter"]) in body
    assert str(creator.pk) not in body.replace(f"follow-{creator.pk}", "")


def test_the_followers_page_links_to_discovery(client, owner):
    response = client.get(reverse("social:followers", args=[owner.username]))
    assert reverse("social:discover_people") in response.content.decode()
