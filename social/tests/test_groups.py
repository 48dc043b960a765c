import re

import pytest
from django.urls import reverse

from social import services
from social.models import Group, GroupMembership


def test_create_group_makes_creator_admin_with_unique_slugs(owner_client, owner):
    owner_client.post(
        reverse("social:group_create"),
        {"name": "AI Painters", "visibility": "public", "category": "AI Art", "tags": "art paint"},
    )
    owner_client.post(
        reverse("social:group_create"), {"name": "AI Painters", "visibility": "public", "category": "AI Art"}
    )
    slugs = set(Group.objects.values_list("slug", flat=True))
    assert len(slugs) == 2 and all(re.fullmatch(r"ai-painters-[a-z0-9]{6}", slug) for slug in slugs)
    group = Group.objects.get(tags=["art", "paint"])
    assert group.members_count == 1 and group.admins_count == 1
    assert GroupMembership.objects.get(group=group, user=owner).role == "admin"


def test_join_and_leave_a_public_group(client, owner, friend):
    group = services.group_create(creator=owner, name="Open")
    client.force_login(friend)
    client.post(reverse("social:group_join", args=[group.slug]))
    group.refresh_from_db()
    assert group.members_count == 2
    client.post(reverse("social:group_join", args=[group.slug]))  # twice: refused, unchanged
    group.refresh_from_db()
    assert group.members_count == 2
    client.post(reverse("social:group_leave", args=[group.slug]))
    group.refresh_from_db()
    assert group.members_count == 1


def test_private_group_requests_are_approved_by_admins(owner, friend, stranger):
    group = services.group_create(creator=owner, name="Closed", visibility="private")
    request = services.group_join(user=friend, group=group)
    assert request.status == "pending"
    with pytest.raises(services.SocialError):
        services.group_approve(by=stranger, membership=request)
    services.group_approve(by=owner, membership=request)
    with pytest.raises(services.SocialError, match="already handled"):
        services.group_approve(by=owner, membership=request)
    group.refresh_from_db()
    assert group.members_count == 2


def test_joining_a_secret_group_uninvited_is_refused_and_hidden(client, owner, stranger):
    group = services.group_create(creator=owner, name="Hidden", visibility="secret")
    with pytest.raises(services.SocialError, match="invitation only"):
        services.group_join(user=stranger, group=group)
    group.refresh_from_db()
    assert group.members_count == 1
    client.force_login(stranger)
    assert client.get(group.get_absolute_url()).status_code == 404
    assert client.post(reverse("social:group_join", args=[group.slug])).status_code == 404
    assert "Hidden" not in client.get(reverse("social:groups")).content.decode()


def test_invited_person_joins_a_secret_group(owner, friend):
    group = services.group_create(creator=owner, name="Hidden", visibility="secret")
    services.group_invite(by=owner, group=group, user=friend)
    membership = services.group_join(user=friend, group=group)
    group.refresh_from_db()
    assert membership.status == "active" and group.members_count == 2


def test_admin_removes_members_and_sole_admin_cannot_leave(owner, friend, stranger):
    group = services.group_create(creator=owner, name="Team")
    m = services.group_join(user=friend, group=group)
    services.group_join(user=stranger, group=group)
    with pytest.raises(services.SocialError):
        services.group_remove_member(by=stranger, membership=m)
    services.group_remove_member(by=owner, membership=m)
    with pytest.raises(services.SocialError, match="only admin"):
        services.group_leave(user=owner, group=group)
    group.refresh_from_db()
    assert group.members_count == 2


def test_group_posts_are_for_members_of_closed_groups(client, owner, friend, stranger):
    group = services.group_create(creator=owner, name="Club", visibility="private")
    post = services.post_create(author=owner, category="text-post", caption="club news", group=group)
    assert post.closed_group and not post.listed
    client.force_login(stranger)
    assert "club news" not in client.get(group.get_absolute_url()).content.decode()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "club news" not in client.get(reverse("social:explore")).content.decode()
    services.group_approve(by=owner, membership=services.group_join(user=friend, group=group))
    client.force_login(friend)
    assert "club news" in client.get(group.get_absolute_url()).content.decode()
    assert client.get(post.get_absolute_url()).status_code == 200
    group.refresh_from_db()
    assert group.posts_count == 1


def test_non_members_cannot_post_in_a_group(owner, stranger):
    group = services.group_create(creator=owner, name="Club")
    with pytest.raises(services.SocialError, match="Join the group"):
        services.post_create(author=stranger, category="text-post", caption="x", group=group)


def test_admins_change_member_roles_on_the_members_page(client, owner, friend, stranger):
    group = services.group_create(creator=owner, name="Roles")
    services.group_join(user=friend, group=group)
    services.group_join(user=stranger, group=group)
    friendship = GroupMembership.objects.get(group=group, user=friend)
    members_url = reverse("social:group_members", args=[group.slug])
    role_url = reverse("social:group_role", args=[group.slug, friendship.pk])

    client.force_login(owner)
    page = client.get(members_url)
    assert f'action="{role_url}"' in page.text and 'for="role-' in page.text
    assert client.post(role_url, {"role": "moderator", "next": members_url})["Location"] == members_url
    assert GroupMembership.objects.get(pk=friendship.pk).role == "moderator"
    client.post(role_url, {"role": "emperor"})  # not a role: refused with a message, unchanged
    assert GroupMembership.objects.get(pk=friendship.pk).role == "moderator"

    # A moderator manages members but does not hand out roles.
    client.force_login(friend)
    assert 'name="role"' not in client.get(members_url).text
    stranger_role = reverse(
        "social:group_role", args=[group.slug, GroupMembership.objects.get(group=group, user=stranger).pk]
    )
    response = client.post(stranger_role, {"role": "admin"}, follow=True)
    assert "Only admins change roles." in response.text
    assert GroupMembership.objects.get(group=group, user=stranger).role == "member"
    assert (
        client.post(reverse("social:group_role", args=[group.slug, "nope"]), {"role": "admin"}).status_code
        == 404
    )
