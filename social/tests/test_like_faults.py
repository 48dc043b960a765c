"""A like and its counters are written together: a database failure between them leaves neither
(found by benchmarks/soak.py: a like whose counter update was lost while the database was down)."""

import pytest

from modelsnapper.testing import faults
from social import services
from social.models import Like, Post
from social.services.repair import counters_recount


@pytest.fixture
def post(owner):
    return services.post_create(author=owner, category="text-post", caption="like me")


def test_a_like_whose_counter_update_fails_leaves_no_like_and_no_drift(friend, post):
    with faults.failing("update", times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.like_add(user=friend, target=post)

    assert Like.objects.filter(user=friend).count() == Post.objects.get(pk=post.pk).likes_count
    assert counters_recount(fix=False) == []


def test_an_unlike_whose_counter_update_fails_keeps_the_like_and_its_count(friend, post):
    services.like_add(user=friend, target=post)

    with faults.failing("update", times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.like_remove(user=friend, target=post)

    assert Like.objects.filter(user=friend).count() == Post.objects.get(pk=post.pk).likes_count == 1
    assert counters_recount(fix=False) == []


def test_likes_and_unlikes_still_count_once_each(friend, stranger, post):
    services.like_add(user=friend, target=post)
    services.like_add(user=stranger, target=post)
    services.like_remove(user=friend, target=post)

    assert Post.objects.get(pk=post.pk).likes_count == 1
    assert counters_recount(fix=False) == []
