"""Shares, group joins and a moderator hiding a comment write their document and its counter
together: a database failure on the counter write leaves neither (the soak's finding for likes,
true of these counters too)."""

import pytest

from modelsnapper.testing import faults
from social import services
from social.models import Comment, Group, GroupMembership, ModerationState, Post, Share
from social.services.repair import counters_recount


@pytest.fixture
def post(owner):
    return services.post_create(author=owner, category="text-post", caption="share me")


def test_a_share_whose_counter_update_fails_leaves_no_share_and_no_drift(friend, post):
    with faults.failing("update", times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.post_share(post=post, user=friend)

    assert not Share.objects.filter(user=friend).exists()
    assert Post.objects.get(pk=post.pk).shares_count == 0
    assert counters_recount(fix=False) == []


def test_a_share_still_counts_once_per_person(friend, post):
    assert services.post_share(post=post, user=friend) is True
    assert services.post_share(post=post, user=friend) is False

    assert Post.objects.get(pk=post.pk).shares_count == 1
    assert counters_recount(fix=False) == []


def test_a_join_whose_members_count_fails_leaves_no_membership_and_no_drift(owner, friend):
    group = services.group_create(creator=owner, name="Open studio")

    with faults.failing("update", times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.group_join(user=friend, group=group)

    assert not GroupMembership.objects.filter(group=group, user=friend).exists()
    assert Group.objects.get(pk=group.pk).members_count == 1
    assert counters_recount(fix=False) == []


def test_an_accepted_invitation_whose_members_count_fails_stays_an_invitation(owner, friend):
    group = services.group_create(creator=owner, name="Invited studio")
    services.group_invite(by=owner, group=group, user=friend)

    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.group_join(user=friend, group=group)

    membership = GroupMembership.objects.get(group=group, user=friend)
    assert membership.status == GroupMembership.Status.INVITED
    assert Group.objects.get(pk=group.pk).members_count == 1
    assert counters_recount(fix=False) == []


def test_an_approval_whose_members_count_fails_leaves_the_request_pending(owner, friend):
    group = services.group_create(creator=owner, name="Closed studio", visibility="private")
    request = services.group_join(user=friend, group=group)

    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.group_approve(by=owner, membership=request)

    assert GroupMembership.objects.get(pk=request.pk).status == GroupMembership.Status.PENDING
    assert Group.objects.get(pk=group.pk).members_count == 1
    assert counters_recount(fix=False) == []


def test_joins_and_approvals_still_count_each_member_once(owner, friend, stranger):
    open_group = services.group_create(creator=owner, name="Open doors")
    services.group_join(user=friend, group=open_group)
    closed = services.group_create(creator=owner, name="Closed doors", visibility="private")
    services.group_approve(by=owner, membership=services.group_join(user=stranger, group=closed))
    services.group_invite(by=owner, group=closed, user=friend)
    services.group_join(user=friend, group=closed)

    assert Group.objects.get(pk=open_group.pk).members_count == 2
    assert Group.objects.get(pk=closed.pk).members_count == 3
    assert counters_recount(fix=False) == []


def test_hiding_a_comment_whose_count_update_fails_leaves_it_shown_and_counted(owner, friend, staff, post):
    comment = services.comment_create(author=friend, post=post, text="a comment")

    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.moderation_apply(
            by=staff, target_type="comment", target_id=str(comment.pk), action="hide", reason="spam"
        )

    assert Comment.objects.get(pk=comment.pk).moderation_state == ModerationState.OK
    assert Post.objects.get(pk=post.pk).comments_count == 1
    assert counters_recount(fix=False) == []


def test_restoring_a_hidden_comment_whose_count_update_fails_leaves_it_hidden(owner, friend, staff, post):
    comment = services.comment_create(author=friend, post=post, text="a comment")
    services.moderation_apply(
        by=staff, target_type="comment", target_id=str(comment.pk), action="hide", reason="spam"
    )

    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.moderation_apply(
            by=staff, target_type="comment", target_id=str(comment.pk), action="restore", reason=""
        )

    assert Comment.objects.get(pk=comment.pk).moderation_state != ModerationState.OK
    assert Post.objects.get(pk=post.pk).comments_count == 0
    assert counters_recount(fix=False) == []
