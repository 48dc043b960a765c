"""A follow and both people's counts are written together: a database failure between them
leaves neither (the soak's finding for likes and saves, true of follows as well)."""

import pytest
from django.contrib.auth import get_user_model

from modelsnapper.testing import faults
from social import services
from social.models import Follow
from social.services.repair import counters_recount

User = get_user_model()


def _stats(user) -> tuple[int, int]:
    stats = User.objects.get(pk=user.pk).stats
    return stats.followers, stats.following


def test_a_follow_whose_followers_count_fails_leaves_no_follow_and_no_drift(friend, stranger):
    # skip=1: the follower's "following" count is written, the followed person's count fails.
    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.follow_create(follower=stranger, following=friend)

    assert not Follow.objects.filter(follower=stranger).exists()
    assert _stats(stranger) == (0, 0) and _stats(friend) == (0, 0)
    assert counters_recount(fix=False) == []


def test_an_unfollow_whose_followers_count_fails_keeps_the_follow_and_both_counts(friend, stranger):
    services.follow_create(follower=stranger, following=friend)

    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.follow_delete(follower=stranger, following=friend)

    assert Follow.objects.filter(follower=stranger, following=friend).exists()
    assert _stats(stranger) == (0, 1) and _stats(friend) == (1, 0)
    assert counters_recount(fix=False) == []


def test_follows_and_unfollows_still_count_once_each(friend, stranger, owner):
    services.follow_create(follower=stranger, following=friend)
    services.follow_create(follower=owner, following=friend)
    services.follow_delete(follower=stranger, following=friend)
    assert not services.follow_delete(follower=stranger, following=friend)

    assert _stats(friend)[0] == 1 and _stats(stranger)[1] == 0 and _stats(owner)[1] == 1
    assert counters_recount(fix=False) == []
