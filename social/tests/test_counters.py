"""Counters equal the true counts after concurrent like/unlike and follow/unfollow storms."""

import random
import threading

import pytest
from django.db import connections

from modelsnapper.testing.factories import UserFactory
from social import services
from social.models import Comment, Follow, Like, Post


def _storm(workers, rounds):
    errors = []
    barrier = threading.Barrier(len(workers))

    def run(work):
        try:
            barrier.wait()
            for _ in range(rounds):
                work()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.fixture
def crowd(db):
    return [UserFactory() for _ in range(8)]


def test_like_unlike_storm_keeps_post_and_author_counters_exact(owner, crowd, make_post):
    post = make_post()
    rng = random.Random(7)

    def worker(user):
        def work():
            # Each person toggles, likes twice or unlikes twice: duplicates must change nothing.
            action = rng.choice(["toggle", "add", "remove"])
            try:
                if action == "toggle":
                    services.like_toggle(user=user, target=post)
                elif action == "add":
                    services.like_add(user=user, target=post)
                else:
                    services.like_remove(user=user, target=post)
            except services.SocialError:
                pass

        return work

    # Two workers per person make each person's clicks race with each other.
    _storm([worker(u) for u in crowd] * 2, rounds=12)
    post.refresh_from_db()
    owner.refresh_from_db()
    true_likes = Like.objects.filter(target_type="post", target_id=post.pk).count()
    assert post.likes_count == true_likes
    assert post.hot == 20 * true_likes
    assert owner.stats.likes_received == true_likes


def test_comment_likes_are_exact_and_count_for_the_comment_author(owner, friend, crowd, make_post):
    post = make_post()
    comment = services.comment_create(author=friend, post=post, text="nice")
    _storm([lambda u=u: services.like_toggle(user=u, target=comment) for u in crowd] * 2, rounds=5)
    comment.refresh_from_db()
    friend.refresh_from_db()
    true_likes = Like.objects.filter(target_type="comment", target_id=comment.pk).count()
    assert comment.likes_count == true_likes == friend.stats.likes_received


def test_follow_unfollow_storm_keeps_both_counters_exact(owner, crowd):
    def worker(user):
        def work():
            services.follow_toggle(follower=user, following=owner)
            try:
                services.follow_create(follower=owner, following=user)
            except services.SocialError:
                services.follow_delete(follower=owner, following=user)

        return work

    _storm([worker(u) for u in crowd] * 2, rounds=9)
    owner.refresh_from_db()
    assert owner.stats.followers == Follow.objects.filter(following=owner).count()
    assert owner.stats.following == Follow.objects.filter(follower=owner).count()
    for user in crowd:
        user.refresh_from_db()
        assert user.stats.following == Follow.objects.filter(follower=user).count()
        assert user.stats.followers == Follow.objects.filter(following=user).count()


def test_liking_twice_is_refused_and_counts_once(owner, friend, make_post):
    post = make_post()
    services.like_add(user=friend, target=post)
    with pytest.raises(services.SocialError, match="already like"):
        services.like_add(user=friend, target=post)
    post.refresh_from_db()
    owner.refresh_from_db()
    assert post.likes_count == 1 and owner.stats.likes_received == 1
    assert services.like_remove(user=friend, target=post) is True
    assert services.like_remove(user=friend, target=post) is False
    post.refresh_from_db()
    owner.refresh_from_db()
    assert post.likes_count == 0 and owner.stats.likes_received == 0


def test_following_yourself_is_refused_and_counters_unchanged(owner):
    with pytest.raises(services.SocialError, match="yourself"):
        services.follow_create(follower=owner, following=owner)
    owner.refresh_from_db()
    assert owner.stats.followers == owner.stats.following == 0
    assert not Follow.objects.exists()


def test_following_twice_is_refused(owner, friend):
    services.follow_create(follower=friend, following=owner)
    with pytest.raises(services.SocialError, match="already follow"):
        services.follow_create(follower=friend, following=owner)
    owner.refresh_from_db()
    friend.refresh_from_db()
    assert owner.stats.followers == 1 and friend.stats.following == 1


def test_blocking_ends_follows_both_ways_with_counters(owner, friend):
    services.follow_create(follower=friend, following=owner)
    services.follow_create(follower=owner, following=friend)
    services.block_create(blocker=owner, blocked=friend)
    owner.refresh_from_db()
    friend.refresh_from_db()
    assert (owner.stats.followers, owner.stats.following, friend.stats.followers, friend.stats.following) == (
        0,
        0,
        0,
        0,
    )


def test_post_counters_follow_posts_lifecycle(owner, make_post):
    post = make_post()
    draft = make_post(status="draft")
    owner.refresh_from_db()
    assert owner.stats.posts == 1
    services.post_update(post=draft, editor=owner, status="published")
    owner.refresh_from_db()
    assert owner.stats.posts == 2
    services.post_delete(post=post, by=owner)
    services.post_delete(post=post, by=owner)  # twice: no double decrement
    owner.refresh_from_db()
    assert owner.stats.posts == 1


def test_comment_counters_and_recount_agree(owner, friend, make_post):
    post = make_post()
    top = services.comment_create(author=friend, post=post, text="one")
    reply = services.comment_create(author=owner, post=post, text="two", parent=top)
    services.comment_delete(comment=reply, by=owner)
    services.comment_delete(comment=reply, by=owner)
    post.refresh_from_db()
    top.refresh_from_db()
    assert post.comments_count == 1 and top.replies_count == 0
    Post.objects.filter(pk=post.pk).update(comments_count=99)  # drift, as after a crash
    services.counters_recount(post_ids=[post.pk], user_ids=[owner.pk])
    post.refresh_from_db()
    assert post.comments_count == Comment.objects.filter(post=post, deleted_at=None).count() == 1
