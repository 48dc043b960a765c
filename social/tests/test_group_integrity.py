"""Groups: slugs that reveal nothing, posting from the group page, and always one admin."""

import re
import threading
from html.parser import HTMLParser

import pytest
from django.db import connections
from django.urls import reverse

from modelsnapper.testing.factories import UserFactory, group_with_members
from social import services
from social.models import Group, GroupMembership, Post


class _FormFields(HTMLParser):
    """The fields a browser would submit from the form posting to ``action`` (defaults included)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self.fields[attrs["name"]] = ""
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and (self._select not in self.fields or "selected" in attrs):
            # The first option, unless a later one is marked selected.
            self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict:
    parser = _FormFields(action)
    parser.feed(html)
    assert parser.fields, f"no form posting to {action}"
    return parser.fields


def test_a_public_groups_slug_does_not_reveal_a_secret_group_of_the_same_name(client, owner, stranger):
    services.group_create(creator=owner, name="Night Owls", visibility="secret")

    client.force_login(stranger)
    client.post(
        reverse("social:group_create"), {"name": "Night Owls", "visibility": "public", "category": "General"}
    )

    mine = Group.objects.get(creator=stranger)
    # Same shape whether or not a hidden group took the name first: name slug + random suffix.
    assert re.fullmatch(r"night-owls-[a-z0-9]{6}", mine.slug), mine.slug
    assert client.get(mine.get_absolute_url()).status_code == 200


def test_group_create_writes_the_group_and_its_admin_in_one_transaction(owner):
    connection = connections["default"]
    # The membership insert (the second insert of group_create) fails on the server.
    connection.connection.admin.command(
        {
            "configureFailPoint": "failCommand",
            "mode": {"skip": 1},
            "data": {"failCommands": ["insert"], "errorCode": 2},
        }
    )
    try:
        with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises for the injected error
            services.group_create(creator=owner, name="Half made")
    finally:
        connection.connection.admin.command({"configureFailPoint": "failCommand", "mode": "off"})

    assert not Group.objects.filter(name="Half made").exists()  # no group without its admin


def test_a_member_posts_in_the_group_from_the_group_page_form(client, owner, friend):
    group = group_with_members(creator=owner, name="Painters", members=[friend])
    client.force_login(friend)
    action = reverse("social:group_post", args=[group.slug])

    fields = form_fields(client.get(group.get_absolute_url()).text, action)
    fields.update(category="text-post", caption="my first group post")
    response = client.post(action, fields, follow=True)

    post = Post.objects.get(group=group)
    assert post.caption == "my first group post" and post.author_id == friend.pk
    assert "my first group post" in response.text and "This field is required" not in response.text
    group.refresh_from_db()
    assert group.posts_count == 1


def test_the_only_admin_cannot_demote_themselves(owner, friend):
    group = group_with_members(creator=owner, name="Solo", members=[friend])
    mine = GroupMembership.objects.get(group=group, user=owner)

    with pytest.raises(services.SocialError, match="only admin"):
        services.group_set_role(by=owner, membership=mine, role="member")

    assert GroupMembership.objects.get(pk=mine.pk).role == "admin"


def test_an_admin_may_step_down_once_someone_else_is_admin(owner, friend):
    group = group_with_members(creator=owner, name="Duo", members=[friend])
    services.group_set_role(
        by=owner, membership=GroupMembership.objects.get(group=group, user=friend), role="admin"
    )

    services.group_set_role(
        by=owner, membership=GroupMembership.objects.get(group=group, user=owner), role="member"
    )

    group.refresh_from_db()
    assert group.admins_count == 1
    assert GroupMembership.objects.get(group=group, user=friend).role == "admin"


def _race(*actions):
    """Run the actions at the same moment in real threads; return what each raised (or None)."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            action()
        except Exception as exc:  # reported to the test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.parametrize("how", ["leave", "step_down"])
def test_two_admins_leaving_at_once_leave_one_admin_behind(owner, friend, how):
    group = group_with_members(creator=owner, name="Pair", members=[*UserFactory.create_batch(3), friend])
    services.group_set_role(
        by=owner, membership=GroupMembership.objects.get(group=group, user=friend), role="admin"
    )

    def leave(person):
        if how == "leave":
            return lambda: services.group_leave(user=person, group=group)
        membership = GroupMembership.objects.get(group=group, user=person)
        return lambda: services.group_set_role(by=person, membership=membership, role="member")

    outcomes = _race(leave(owner), leave(friend))

    refused = [o for o in outcomes if o is not None]
    assert len(refused) == 1 and isinstance(refused[0], services.SocialError), outcomes
    admins = GroupMembership.objects.filter(group=group, role="admin", status="active").count()
    group.refresh_from_db()
    assert admins == 1 and group.admins_count == 1
    assert group.members_count == GroupMembership.objects.filter(group=group, status="active").count()
