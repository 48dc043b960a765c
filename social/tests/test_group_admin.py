"""Group admins edit or deactivate their group (issue 14 item 15); nobody else can."""

import pytest
from django.urls import reverse

from social import selectors, services
from social.models import Group


def _fields(**overrides):
    return {
        "name": "Renamed",
        "description": "New words",
        "visibility": "public",
        "category": "Tech",
        "tags": "robots",
        **overrides,
    }


def test_an_admin_edits_the_group_from_its_page(client, owner, friend):
    group = services.group_create(creator=owner, name="Painters", category="AI Art")
    client.force_login(owner)
    edit_url = reverse("social:group_edit", args=[group.slug])
    assert edit_url in client.get(group.get_absolute_url()).content.decode()

    response = client.post(edit_url, _fields())

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.description, group.category, group.tags) == (
        "Renamed",
        "New words",
        "Tech",
        ["robots"],
    )
    assert group.members_count == 1 and group.admins_count == 1
    assert [g.pk for g in selectors.groups_list(friend, category="Tech").items] == [group.pk]


def test_members_and_strangers_cannot_edit_or_deactivate(client, owner, friend, stranger):
    group = services.group_create(creator=owner, name="Painters")
    services.group_join(user=friend, group=group)
    for person in (friend, stranger):
        client.force_login(person)
        assert (
            reverse("social:group_edit", args=[group.slug])
            not in client.get(group.get_absolute_url()).content.decode()
        )
        assert client.post(reverse("social:group_edit", args=[group.slug]), _fields()).status_code == 404
        assert client.post(reverse("social:group_deactivate", args=[group.slug])).status_code == 404
    group.refresh_from_db()
    assert group.name == "Painters" and group.is_active
    with pytest.raises(services.SocialError, match="Only the group's admins can change it."):
        services.group_deactivate(user=friend, group=group)
    assert Group.objects.get(pk=group.pk).is_active


def test_bad_edits_are_form_errors_and_change_nothing(client, owner):
    group = services.group_create(creator=owner, name="Painters")
    client.force_login(owner)
    response = client.post(reverse("social:group_edit", args=[group.slug]), _fields(name="", category="Nope"))
    assert response.status_code == 200
    assert Group.objects.get(pk=group.pk).name == "Painters"


def test_deactivating_asks_first_then_leaves_discovery_and_members_see_a_notice(client, owner, friend):
    group = services.group_create(creator=owner, name="Painters")
    services.group_join(user=friend, group=group)
    client.force_login(owner)
    confirm = client.get(reverse("social:group_deactivate", args=[group.slug]))
    assert confirm.status_code == 200 and Group.objects.get(pk=group.pk).is_active

    response = client.post(reverse("social:group_deactivate", args=[group.slug]))

    assert response.status_code == 302 and not Group.objects.get(pk=group.pk).is_active
    assert selectors.groups_list(friend).items == []
    client.force_login(friend)
    assert client.get(group.get_absolute_url()).status_code == 404
    page = client.get(reverse("social:groups")).content.decode()
    assert 'Painters <span class="muted">— deactivated by its admins' in page
