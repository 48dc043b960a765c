"""Posts by category (issue 14 item 4): the following feed filters by category with explore's
tabs, and the profile's tabs count a person's live posts per category from a stored counter that
moves with the post count and that ``social_recount`` repairs."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse

from modelsnapper.testing.factories import PostFactory
from modelsnapper.testing.media import png_file
from social import services
from social.services.repair import counters_recount

from .helpers import PINNED, page_queries


def _counts(user) -> dict[str, int]:
    user.refresh_from_db(fields=["stats"])
    return {k: v for k, v in (user.stats.posts_by_category or {}).items() if v}


def test_following_feed_filters_by_category_with_the_same_tabs_as_explore(client, owner, friend, following):
    words = PostFactory(author=owner, caption="only words here")
    picture = PostFactory(
        author=owner, category="image-post", caption="", title="Lighthouse", media=png_file()
    )
    client.force_login(friend)

    page = client.get(reverse("social:following") + "?category=image-post")
    shown = [post.pk for post in page.context["page"].items]
    assert shown == [picture.pk]
    html = page.content.decode()
    assert 'href="/social/?category=image-post" aria-current="page"' in html
    # The same tabs, rule and parameter as explore's (one helper builds both).
    explore = client.get(reverse("social:explore") + "?category=image-post").context["tabs"]
    assert [label for label, _, _ in page.context["tabs"]] == [label for label, _, _ in explore]

    everything = client.get(reverse("social:following")).context["page"].items
    assert {post.pk for post in everything} == {words.pk, picture.pk}
    # An unknown category is no filter at all, as on explore.
    assert len(client.get(reverse("social:following") + "?category=nope").context["page"].items) == 2


def test_profile_tabs_count_live_posts_per_category(client, owner, friend, staff):
    PostFactory(author=owner, caption="one")
    gone = PostFactory(author=owner, caption="two")
    hidden = PostFactory(author=owner, caption="three")
    PostFactory(author=owner, category="image-post", caption="", media=png_file())
    PostFactory(author=owner, caption="a draft", status="draft")
    services.post_delete(post=gone, by=owner)
    services.moderation_apply(by=staff, target_type="post", target_id=hidden.pk, action="hide", reason="spam")
    assert _counts(owner) == {"text-post": 1, "image-post": 1}
    assert counters_recount(fix=False) == []

    client.force_login(friend)
    response = client.get(reverse("accounts:profile", args=["owner"]))
    tabs = {value: count for value, _, count in response.context["category_tabs"]}
    assert tabs == {"short": 0, "normal-video": 0, "image-post": 1, "text-post": 1, "image-text-post": 0}
    assert '?category=image-post">Image <span class="tab-count">1</span>' in response.content.decode()


def test_recount_repairs_a_drifted_category_counter(owner):
    PostFactory(author=owner, caption="one")
    users = connections["default"].database["accounts_user"]
    users.update_one({"_id": owner.pk}, {"$set": {"stats.posts_by_category": {"text-post": 5, "short": 2}}})

    drifts = counters_recount(fix=False)
    assert {(d.field, d.stored, d.true) for d in drifts} == {
        ("posts_by_category.text-post", 5, 1),
        ("posts_by_category.short", 2, 0),
    }
    with pytest.raises(CommandError, match="2 drift"):  # fixed, and the exit code says there was drift
        call_command("social_recount", verbosity=0)
    assert _counts(owner) == {"text-post": 1}
    assert counters_recount(fix=False) == []


def test_profile_page_round_trips_do_not_grow_with_posts_or_categories(client, owner, friend):
    PostFactory(author=owner)
    client.force_login(friend)
    url = reverse("social:profile_posts", args=["owner"])
    client.get(url)
    small = page_queries(client, url, friend)
    for category in ("text-post", "image-post", "image-text-post"):
        for _ in range(3):
            media = png_file() if category != "text-post" else None
            PostFactory(
                author=owner, category=category, caption="" if category == "image-post" else "x", media=media
            )
    assert page_queries(client, url, friend) == small
    assert small[0] == PINNED["profile"]
