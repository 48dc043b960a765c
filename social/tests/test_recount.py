"""``manage.py social_recount``: every denormalised counter is compared with the documents
that prove it; each drift is printed and fixed, and the command exits 1 when there was any."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.models import F

from accounts.models import User
from modelsnapper.testing.factories import group_with_members
from social import services
from social.models import Comment, Group, Post, SaveCollection, Tag
from social.services.repair import counters_recount
from social.tasks import recount_counters


@pytest.fixture
def scene(owner, friend, stranger, staff):
    """A bit of everything the services count, including things undone (deleted, hidden, left)."""
    group = group_with_members(creator=owner, name="Counting club", members=[friend, stranger])
    services.group_leave(user=stranger, group=group)
    post = services.post_create(author=owner, category="text-post", caption="hello #counted", group=group)
    gone = services.post_create(author=owner, category="text-post", caption="bye #counted")
    services.post_delete(post=gone, by=owner)
    comment = services.comment_create(author=friend, post=post, text="first")
    services.comment_create(author=owner, post=post, text="a reply", parent=comment)
    deleted_reply = services.comment_create(author=stranger, post=post, text="oops", parent=comment)
    services.comment_delete(comment=deleted_reply, by=stranger)
    hidden = services.comment_create(author=stranger, post=post, text="rude")
    services.moderation_apply(
        by=staff, target_type="comment", target_id=hidden.pk, action="hide", reason="rude"
    )
    services.like_add(user=friend, target=post)
    services.like_add(user=stranger, target=post)
    services.like_remove(user=stranger, target=post)
    services.like_add(user=owner, target=comment)
    services.save_create(user=friend, post=post, collection_name="Later")
    services.save_create(user=stranger, post=post, collection_name="Later")
    services.save_delete(user=stranger, post=post)
    services.post_share(post=post, user=friend)
    services.follow_create(follower=friend, following=owner)
    services.follow_create(follower=stranger, following=owner)
    services.follow_delete(follower=stranger, following=owner)
    return {
        "post": post,
        "comment": comment,
        "group": group,
        "collection": SaveCollection.objects.get(user=friend, name="Later"),
        "tag": Tag.objects.get(name="counted"),
        "user": owner,
    }


def _add(kind: str, obj, field: str, amount: int) -> None:
    """A counter moved by a write that bypassed the services (as after a crash)."""
    if kind == "user":
        users = connections["default"].database[User._meta.db_table]
        users.update_one({"_id": obj.pk}, {"$inc": {f"stats.{field}": amount}})
        return
    model = {"post": Post, "comment": Comment, "group": Group, "collection": SaveCollection, "tag": Tag}[kind]
    key = {"name": obj.name} if kind == "tag" else {"pk": obj.pk}
    model.objects.filter(**key).update(**{field: F(field) + amount})


def _stored(kind: str, obj, field: str) -> int:
    if kind == "user":
        return getattr(User.objects.get(pk=obj.pk).stats, field)
    obj.refresh_from_db()
    return getattr(obj, field)


COUNTERS = [
    ("post", "likes_count"),
    ("post", "comments_count"),
    ("post", "saves_count"),
    ("post", "shares_count"),
    ("post", "hot"),
    ("comment", "likes_count"),
    ("comment", "replies_count"),
    ("group", "members_count"),
    ("group", "admins_count"),
    ("group", "posts_count"),
    ("collection", "saves_count"),
    ("tag", "usage_count"),
    ("user", "followers"),
    ("user", "following"),
    ("user", "posts"),
    ("user", "likes_received"),
]


def test_a_clean_database_exits_zero_and_says_so(scene, capsys):
    call_command("social_recount")

    assert "No drift" in capsys.readouterr().out


@pytest.mark.parametrize(("kind", "field"), COUNTERS)
def test_a_drifted_counter_is_reported_fixed_and_makes_the_command_exit_non_zero(scene, kind, field, capsys):
    obj = scene[kind]
    true = _stored(kind, obj, field)
    _add(kind, obj, field, 7)

    with pytest.raises(CommandError) as info:
        call_command("social_recount")

    pk = obj.name if kind == "tag" else obj.pk
    assert info.value.returncode == 1
    assert f"DRIFT {kind} {pk}: {field} stored={true + 7} true={true} drift=+7" in capsys.readouterr().err
    assert _stored(kind, obj, field) == true
    assert counters_recount(fix=False) == []


def test_check_reports_the_drift_and_changes_nothing(scene, capsys):
    post = scene["post"]
    _add("post", post, "likes_count", -1)

    with pytest.raises(CommandError) as info:
        call_command("social_recount", "--check")

    assert info.value.returncode == 1
    assert f"DRIFT post {post.pk}: likes_count stored=0 true=1" in capsys.readouterr().err
    assert _stored("post", post, "likes_count") == 0


def test_a_tag_used_by_live_posts_without_its_document_gets_one(scene):
    Tag.objects.filter(name="counted").delete()

    drifts = counters_recount()

    assert [str(d) for d in drifts] == ["tag counted: usage_count stored=0 true=1 drift=-1"]
    assert Tag.objects.get(name="counted").usage_count == 1


def test_the_nightly_beat_task_fixes_drift(scene, settings):
    _add("group", scene["group"], "members_count", 3)

    assert recount_counters() == 1
    assert _stored("group", scene["group"], "members_count") == 2
    assert settings.CELERY_BEAT_SCHEDULE["social-recount"]["task"] == "social.tasks.recount_counters"
