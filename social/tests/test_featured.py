"""Featured posts and tags (issue 14, item 6): a row above explore's grid, set by staff in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import user_soft_delete
from modelsnapper.testing.factories import PostFactory, UserFactory
from social import selectors, services
from social.models import Post, Tag
from social.selectors.feeds import FEATURED_LIMIT

from .helpers import page_queries


def _featured(post: Post, staff) -> Post:
    services.post_set_featured(post=post, featured=True, by=staff)
    return post


def _row(response) -> str:
    """The featured row's HTML (empty when the page has none)."""
    html = response.content.decode()
    start = html.find('<section class="featured-row"')
    if start == -1:
        return ""
    return html[start : html.index("</section>", start)]


def test_explore_shows_featured_posts_and_tags_in_a_row_above_the_grid(client, staff, owner, friend):
    post = _featured(PostFactory(author=owner, caption="golden hour #seaside"), staff)
    PostFactory(author=owner, caption="not featured")
    Tag.objects.filter(name="seaside").update(is_featured=True)
    client.force_login(friend)
    response = client.get(reverse("social:explore"))
    row = _row(response)
    assert post.get_absolute_url() in row
    assert reverse("social:tag", args=["seaside"]) in row
    html = response.content.decode()
    assert html.index('class="featured-row"') < html.index('class="media-grid"')
    assert [p.pk for p in response.context["featured"].posts] == [post.pk]


def test_the_featured_row_is_hidden_when_nothing_is_featured(client, owner, friend):
    PostFactory(author=owner, caption="plain")
    client.force_login(friend)
    response = client.get(reverse("social:explore"))
    assert _row(response) == ""
    assert "Featured" not in response.content.decode()


def test_the_featured_row_shows_on_explore_s_first_page_only(client, staff, owner, friend):
    _featured(PostFactory(author=owner, caption="star"), staff)
    first = client.get(reverse("social:explore"))
    more = client.get(reverse("social:explore") + f"?cursor={first.context['page'].items[0].pk}")
    assert _row(first) and not _row(more)


def test_featured_posts_follow_the_privacy_rule_blocks_deleted_authors_and_audiences(
    client, staff, owner, friend, blocked, following
):
    public = _featured(PostFactory(author=owner, caption="public star"), staff)
    _featured(PostFactory(author=owner, caption="for followers", visibility="followers"), staff)
    _featured(PostFactory(author=owner, caption="draft star", status="draft"), staff)
    gone = UserFactory(username="gone")
    _featured(PostFactory(author=gone, caption="by a deleted person"), staff)
    user_soft_delete(user=gone)

    # The friend follows the owner, but explore is public posts only (followers-only stays in Following).
    assert [p.pk for p in selectors.explore_featured(friend).posts] == [public.pk]
    # The owner blocked this person: none of the owner's posts, featured or not.
    assert selectors.explore_featured(blocked).posts == []
    client.force_login(blocked)
    assert public.get_absolute_url() not in client.get(reverse("social:explore")).content.decode()
    # Signed out: the public one.
    assert [p.pk for p in selectors.explore_featured(None).posts] == [public.pk]


def test_featured_posts_are_newest_first_and_at_most_a_dozen(staff, owner, stranger):
    made = [
        _featured(PostFactory(author=owner, caption=f"star {n}"), staff) for n in range(FEATURED_LIMIT + 3)
    ]
    shown = selectors.explore_featured(stranger).posts
    assert FEATURED_LIMIT == 12
    assert [p.pk for p in shown] == [p.pk for p in reversed(made)][:FEATURED_LIMIT]


def test_explore_makes_the_same_number_of_queries_with_2_and_with_15_featured_posts(
    client, staff, owner, friend
):
    for n in range(2):
        _featured(PostFactory(author=UserFactory(), caption=f"star {n} #t{n}"), staff)
    Tag.objects.update(is_featured=True)
    client.force_login(friend)
    url = reverse("social:explore")
    client.get(url)  # the first request records the session
    few = page_queries(client, url, friend)
    for n in range(2, 15):
        _featured(PostFactory(author=UserFactory(), caption=f"star {n} #t{n}"), staff)
    Tag.objects.update(is_featured=True)
    many_response = client.get(url)
    many = page_queries(client, url, friend)
    # The same round trips for 2 as for 15 (explore's pinned count, social/tests/helpers.py,
    # holds the row's two reads: posts and tags), and the read is bounded: a dozen at most.
    assert few == many
    assert len(many_response.context["featured"].posts) == FEATURED_LIMIT
    assert len(many_response.context["featured"].tags) == FEATURED_LIMIT


@pytest.mark.parametrize(("action", "expected"), [("feature", True), ("unfeature", False)])
def test_staff_feature_and_unfeature_tags_from_the_admin(client, staff, owner, action, expected):
    PostFactory(author=owner, caption="#sunset")
    tag = Tag.objects.get(name="sunset")
    Tag.objects.filter(pk=tag.pk).update(is_featured=not expected)
    client.force_login(staff)
    response = client.post("/admin/social/tag/", {"action": action, "_selected_action": [str(tag.pk)]})
    assert response.status_code == 302
    assert Tag.objects.get(pk=tag.pk).is_featured is expected


def test_staff_unfeature_a_post_from_the_admin_and_it_leaves_explore(client, staff, owner):
    post = _featured(PostFactory(author=owner, caption="star"), staff)
    client.force_login(staff)
    client.post("/admin/social/post/", {"action": "unfeature", "_selected_action": [str(post.pk)]})
    assert not Post.objects.get(pk=post.pk).is_featured
    assert selectors.explore_featured(staff).posts == []


def test_only_staff_may_feature_a_tag(owner):
    PostFactory(author=owner, caption="#sunset")
    tag = Tag.objects.get(name="sunset")
    with pytest.raises(services.SocialError):
        services.tag_set_featured(tag=tag, featured=True, by=owner)
    assert not Tag.objects.get(pk=tag.pk).is_featured
