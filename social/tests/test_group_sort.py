"""The groups page sorted by size and by activity, and a group's active members (issue 14, item 15)."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from modelsnapper.testing.factories import PostFactory, UserFactory, group_with_members
from social import services
from social.models import Group, GroupMemberActivity
from social.selectors.groups import group_active_members_count, groups_list
from social.services.group_activity import group_activity_record


def _order(body: str, groups) -> list:
    """The groups in the order the page shows them."""
    return sorted(groups, key=lambda g: body.index(g.get_absolute_url()))


def _all_pages(sort: str, size: int) -> list[list]:
    pages, cursor = [], None
    while True:
        page = groups_list(None, cursor, sort=sort, size=size)
        pages.append([g.pk for g in page.items])
        if not page.next_cursor:
            return pages
        cursor = page.next_cursor


def test_largest_first_lists_groups_by_members_then_newest_and_pages_without_repeats(client, owner):
    people = UserFactory.create_batch(3)
    sizes = [1, 3, 2, 3, 1, 4, 2]  # ties, so the pages must cut inside a run of equal counts
    groups = [
        group_with_members(creator=owner, name=f"Club {i}", members=people[: n - 1])
        for i, n in enumerate(sizes)
    ]
    services.group_create(creator=owner, name="Hidden", visibility="secret")
    for group in groups:
        group.refresh_from_db()
    assert sorted(g.members_count for g in groups) == sorted(sizes)
    expected = [g.pk for g in sorted(groups, key=lambda g: (-g.members_count, -int(str(g.pk), 16)))]

    pages = _all_pages("size", size=2)

    assert [pk for page in pages for pk in page] == expected
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    body = client.get(reverse("social:groups"), {"sort": "size"}).content.decode()
    assert [g.pk for g in _order(body, groups)] == expected
    assert 'aria-current="page">Largest</a>' in body


def test_most_active_first_follows_the_last_post_or_comment(client, owner, friend):
    first = group_with_members(creator=owner, name="First", members=[friend])
    second = group_with_members(creator=owner, name="Second", members=[friend])
    third = group_with_members(creator=owner, name="Third", members=[friend])
    # Newest first, before anything happens in them.
    body = client.get(reverse("social:groups"), {"sort": "active"}).content.decode()
    assert _order(body, [first, second, third]) == [third, second, first]

    post = PostFactory(author=owner, group=first)  # first is now the most recently active
    PostFactory(author=owner, group=second)
    services.comment_create(author=friend, post=post, text="Count me in")  # a comment in first

    body = client.get(reverse("social:groups"), {"sort": "active"}).content.decode()
    assert _order(body, [first, second, third]) == [first, second, third]
    assert "active 0" in body and 'aria-current="page">Most active</a>' in body


def test_load_more_keeps_the_order_and_the_category(client, owner):
    for i in range(21):
        services.group_create(creator=owner, name=f"Tech {i}", category="Tech")
    body = client.get(reverse("social:groups"), {"sort": "size", "category": "Tech"}).content.decode()
    assert "category=Tech&amp;sort=size&amp;cursor=" in body


def test_an_unknown_order_is_the_newest_first_not_an_error(client, owner):
    older = services.group_create(creator=owner, name="Older")
    newer = services.group_create(creator=owner, name="Newer")
    response = client.get(reverse("social:groups"), {"sort": "<script>"})
    assert response.status_code == 200
    assert _order(response.content.decode(), [older, newer]) == [newer, older]


def test_last_activity_only_moves_forward(owner):
    group = services.group_create(creator=owner, name="Clock")
    later = (timezone.now() + timedelta(minutes=5)).replace(microsecond=0)  # MongoDB keeps milliseconds
    group_activity_record(group_id=group.pk, user_id=owner.pk, member=True, at=later)
    group_activity_record(group_id=group.pk, user_id=owner.pk, member=True, at=later - timedelta(minutes=1))
    group.refresh_from_db()
    assert group.last_activity_at == later
    assert GroupMemberActivity.objects.get(group=group, user=owner).last_active_at == later


@pytest.mark.parametrize("field", ["members_count", "last_activity_at"])
def test_the_sorted_list_is_answered_by_an_index_not_a_collection_scan(owner, field):
    """The page's filter is answered by one of the (is_active, visibility, -field, -_id) indexes.
    SecantusDB picks among them by the filter alone (it sorts in memory whatever the index);
    a real mongod also takes the sort from the matching one."""
    services.group_create(creator=owner, name="Indexed")
    queryset = Group.objects.filter(is_active=True, visibility__in=["public", "private"]).order_by(
        f"-{field}", "-pk"
    )

    plan = json.loads(queryset[:21].explain())["queryPlanner"]["winningPlan"]
    stages = []
    while plan:
        stages.append(plan.get("indexName") or plan["stage"])
        plan = plan.get("inputStage")
    assert "COLLSCAN" not in stages
    assert {"group_active_size", "group_active_activity"} & set(stages)


def test_active_members_are_members_who_posted_or_commented_in_the_last_30_days(
    client, owner, friend, stranger
):
    quiet, gone, lapsed = UserFactory.create_batch(3)
    group = group_with_members(creator=owner, name="Makers", members=[friend, quiet, gone, lapsed])
    post = PostFactory(author=owner, group=group)  # owner: posted
    assert "1 active member this month" in client.get(group.get_absolute_url()).content.decode()
    services.comment_create(
        author=friend, post=post, text="Nice"
    )  # friend: commented (the count is remembered: it must follow)
    services.comment_create(author=stranger, post=post, text="Hello")  # not a member: not counted
    services.comment_create(author=gone, post=post, text="Bye")
    services.group_leave(user=gone, group=group)  # left: no longer counted
    group_activity_record(
        group_id=group.pk, user_id=lapsed.pk, member=True, at=timezone.now() - timedelta(days=31)
    )

    assert group_active_members_count(group) == 2
    body = client.get(group.get_absolute_url()).content.decode()
    assert "2 active members this month" in body


def test_concurrent_comments_by_one_member_keep_one_activity_row(owner, friend):
    group = group_with_members(creator=owner, name="Busy", members=[friend])
    post = PostFactory(author=owner, group=group)
    barrier, errors = threading.Barrier(6), []

    def comment(i):
        try:
            barrier.wait()
            services.comment_create(author=friend, post=post, text=f"Comment {i}")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=comment, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors, errors
    assert GroupMemberActivity.objects.filter(group=group, user=friend).count() == 1
    assert group_active_members_count(group) == 2


def test_the_active_members_count_reads_an_index(owner):
    group = services.group_create(creator=owner, name="Counted")
    PostFactory(author=owner, group=group)
    since = timezone.now() - timedelta(days=30)
    queryset = GroupMemberActivity.objects.filter(group=group, last_active_at__gte=since)

    plan = json.loads(queryset.explain())["queryPlanner"]["winningPlan"]
    stages = []
    while plan:
        stages.append(plan.get("indexName") or plan["stage"])
        plan = plan.get("inputStage")
    assert "COLLSCAN" not in stages and any(
        s.startswith(("group_activity_recent", "uniq_group")) for s in stages
    )
