"""A comment and the counts it moves are written together: a database failure between them
leaves neither (the soak's finding for likes and saves, true of comments as well)."""

import pytest

from modelsnapper.testing import faults
from social import services
from social.models import Comment, Post
from social.services.repair import counters_recount


@pytest.fixture
def post(owner):
    return services.post_create(author=owner, category="text-post", caption="talk to me")


def test_a_comment_whose_post_count_fails_leaves_no_comment_and_no_drift(friend, post):
    with faults.failing("update", times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.comment_create(author=friend, post=post, text="Nice light")

    assert not Comment.objects.filter(post=post).exists()
    assert Post.objects.get(pk=post.pk).comments_count == 0
    assert counters_recount(fix=False) == []


def test_a_reply_whose_reply_count_fails_leaves_no_reply_and_no_drift(friend, owner, post):
    parent = services.comment_create(author=owner, post=post, text="Thanks for looking")

    # skip=1: the post's count is written, the parent's reply count fails.
    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.comment_create(author=friend, post=post, text="Any time", parent=parent)

    assert list(Comment.objects.filter(post=post)) == [parent]
    assert Post.objects.get(pk=post.pk).comments_count == 1
    assert Comment.objects.get(pk=parent.pk).replies_count == 0
    assert counters_recount(fix=False) == []


def test_deleting_a_comment_whose_post_count_fails_keeps_it_shown_and_counted(friend, post):
    comment = services.comment_create(author=friend, post=post, text="Nice light")

    # skip=1: the comment is marked deleted, the post's count fails.
    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.comment_delete(comment=comment, by=friend)

    assert Comment.objects.get(pk=comment.pk).deleted_at is None
    assert Post.objects.get(pk=post.pk).comments_count == 1
    assert counters_recount(fix=False) == []


def test_deleting_a_reply_whose_reply_count_fails_keeps_it_and_its_counts(friend, owner, post):
    parent = services.comment_create(author=owner, post=post, text="Thanks for looking")
    reply = services.comment_create(author=friend, post=post, text="Any time", parent=parent)

    # skip=2: the reply is marked deleted and the post's count moves; the parent's fails.
    with faults.failing("update", skip=2, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.comment_delete(comment=reply, by=friend)

    assert Comment.objects.get(pk=reply.pk).deleted_at is None
    assert Post.objects.get(pk=post.pk).comments_count == 2
    assert Comment.objects.get(pk=parent.pk).replies_count == 1
    assert counters_recount(fix=False) == []


def test_comments_replies_and_deletions_still_count_once_each(friend, owner, stranger, post):
    parent = services.comment_create(author=owner, post=post, text="Thanks for looking")
    reply = services.comment_create(author=friend, post=post, text="Any time", parent=parent)
    services.comment_create(author=stranger, post=post, text="Lovely", parent=parent)
    services.comment_delete(comment=reply, by=friend)
    services.comment_delete(comment=reply, by=friend)  # twice: the second changes nothing

    assert Post.objects.get(pk=post.pk).comments_count == 2
    assert Comment.objects.get(pk=parent.pk).replies_count == 1
    assert counters_recount(fix=False) == []
