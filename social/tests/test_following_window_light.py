"""The following page builds only the posts it shows, however busy everyone else is (issue 18).

SecantusDB serves no index for ``author_id $in``, so the following page reads a recent window
of everyone's live posts and keeps the viewer's and their follows' (social.selectors.feeds).
For someone who follows few people that window holds mostly other people's posts: the soak
found such a page turning 1,200 posts into model instances to show 20 of them (the page was a
third of the web workers' time). The window is now read as the few fields the choice needs,
and only the posts kept are fetched whole. Counts, not timings: Post instances built per page.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db.models.signals import post_init
from django.urls import reverse

from modelsnapper.testing.factories import UserFactory
from social import services
from social.models import Post
from social.selectors import PAGE_SIZE
from social.tests.helpers import posts_at, posts_examined


@contextmanager
def posts_built():
    built: list[Post] = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=Post)
    try:
        yield built
    finally:
        post_init.disconnect(count, sender=Post)


@pytest.fixture
def busy_neighbours_and_a_quiet_viewer(db):
    """Three people post every hour for ten days; the viewer posted once a day for a month."""
    viewer, friend = UserFactory(), UserFactory()
    for _ in range(3):
        posts_at(UserFactory(), [n + 0.25 for n in range(240)], "someone else's day", [])
    posts_at(viewer, [24 * n + 0.5 for n in range(30)], "my day", [])
    posts_at(friend, [24 * n + 0.75 for n in range(10)], "my friend's day", [])
    services.follow_create(follower=viewer, following=friend)
    return viewer, friend


def test_the_following_page_builds_only_the_posts_it_shows_when_everyone_else_posts_more(
    client, busy_neighbours_and_a_quiet_viewer
):
    viewer, friend = busy_neighbours_and_a_quiet_viewer
    client.force_login(viewer)
    url = reverse("social:following")
    for visit in ("first, which sizes the window", "second, from the cached window"):
        with posts_built() as built:
            response = client.get(url)
        assert response.status_code == 200
        shown = response.context["page"].items
        assert len(shown) == PAGE_SIZE
        assert {p.author_id for p in shown} == {viewer.pk, friend.pk}
        assert [p.pk for p in shown] == sorted((p.pk for p in shown), reverse=True)
        # The page's own posts plus the one that tells whether a next page exists; nothing else.
        assert len(built) <= PAGE_SIZE + 1, (visit, len(built))
    # The server reads the viewer's and the friend's 40 posts (a few fields each) and the page's
    # posts whole; not the window of 760 posts that holds them, and never the collection.
    assert posts_examined(client, url) <= 40 + PAGE_SIZE + 1


def test_the_following_page_pages_through_the_same_posts_as_before(
    client, busy_neighbours_and_a_quiet_viewer
):
    viewer, friend = busy_neighbours_and_a_quiet_viewer
    expected = list(
        Post.objects.filter(author_id__in=[viewer.pk, friend.pk], live=True)
        .order_by("-pk")
        .values_list("pk", flat=True)
    )
    client.force_login(viewer)
    seen, cursor = [], ""
    for _ in range(5):
        response = client.get(reverse("social:following") + (f"?cursor={cursor}" if cursor else ""))
        page = response.context["page"]
        seen += [p.pk for p in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == expected
