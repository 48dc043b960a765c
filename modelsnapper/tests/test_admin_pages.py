"""Every model registered in the admin opens for staff: list, add and change pages."""

import pytest
from django.contrib import admin
from django.urls import reverse

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize("model", [model for model, _ in REGISTERED], ids=lambda m: m._meta.label)
def test_staff_can_open_the_changelist_and_add_page(client, staff, model):
    client.force_login(staff)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200

    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(changelist.wsgi_request):
        add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        assert add.status_code == 200


def test_staff_can_open_a_group_change_page(client, staff):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="moderators")
    group.permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(staff)

    response = client.get(reverse("admin:auth_group_change", args=[group.pk]))

    assert response.status_code == 200


def test_a_staff_sign_in_from_the_admin_reaches_the_index(client, staff, password):
    login_page = client.get("/admin/", follow=True)
    response = client.post(
        login_page.request["PATH_INFO"] + "?next=/admin/",
        {"login": staff.email, "password": password},
        follow=True,
    )

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/admin/"
