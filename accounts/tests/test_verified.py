"""The verified badge (issue 14, item 7): staff grant it in the admin; one tag shows it by every name."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.urls import reverse

from accounts.models import User
from accounts.services import user_set_verified
from modelsnapper.testing.factories import UserFactory
from modelsnapper.testing.html import parse
from social import services


def _badges(html: str) -> list:
    return parse(html).find_all(class_="verified-badge")


def _render(person, **options) -> str:
    args = " ".join(f"{k}={v}" for k, v in options.items())
    return Template("{% load people %}{% display_name person " + args + " %}").render(
        Context({"person": person})
    )


def test_the_name_tag_shows_the_name_and_a_labelled_badge_for_a_verified_person(owner):
    user_set_verified(user=owner, verified=True, staff_user=UserFactory(username="boss", is_staff=True))
    owner.refresh_from_db()
    owner.full_name = "Olive Owner"
    html = _render(owner)
    (badge,) = _badges(html)
    assert html.startswith("Olive Owner")
    assert badge.attrs["title"] == "Verified"
    assert badge.find(class_="visually-hidden").text == "Verified"
    assert "@owner" in _render(owner, handle=True)


def test_the_name_tag_shows_no_badge_for_an_unverified_person_and_escapes_the_name(owner):
    owner.full_name = "<b>Olive</b>"
    html = _render(owner)
    assert _badges(html) == []
    assert html == "&lt;b&gt;Olive&lt;/b&gt;"


def test_only_staff_may_verify_and_a_refusal_changes_nothing(owner, stranger):
    with pytest.raises(PermissionDenied):
        user_set_verified(user=owner, verified=True, staff_user=stranger)
    assert not User.objects.get(pk=owner.pk).is_verified


@pytest.mark.parametrize(("action", "verified"), [("verify", True), ("unverify", False)])
def test_staff_verify_and_unverify_people_in_the_admin_and_the_change_is_logged(
    client, staff, owner, action, verified
):
    User.objects.filter(pk=owner.pk).update(is_verified=not verified)
    client.force_login(staff)
    response = client.post("/admin/accounts/user/", {"action": action, "_selected_action": [str(owner.pk)]})
    assert response.status_code == 302
    assert User.objects.get(pk=owner.pk).is_verified is verified
    entry = LogEntry.objects.get(object_id=str(owner.pk), action_flag=CHANGE)
    assert entry.user_id == staff.pk
    assert ("Verified" if verified else "Removed the verified badge") in entry.get_change_message()


def test_the_admin_lists_and_filters_people_by_the_badge(client, staff, owner, stranger):
    User.objects.filter(pk=owner.pk).update(is_verified=True)
    client.force_login(staff)
    response = client.get("/admin/accounts/user/?is_verified__exact=1")
    assert response.status_code == 200
    shown = {u.username for u in response.context["cl"].result_list}
    assert shown == {"owner"}


def test_the_badge_shows_next_to_a_verified_name_on_every_page_that_shows_names(client, staff, owner, friend):
    user_set_verified(user=owner, verified=True, staff_user=staff)
    post = services.post_create(author=owner, category="text-post", caption="lantern #lights")
    services.comment_create(author=owner, post=post, text="my own comment")
    services.comment_create(author=friend, post=post, text="a friend's comment")
    services.follow_create(follower=owner, following=friend)
    client.force_login(friend)
    pages = {
        "explore tile": reverse("social:explore"),
        "post card and comments": post.get_absolute_url(),
        "profile header": reverse("accounts:profile", args=[owner.username]),
        "profile posts": reverse("social:profile_posts", args=[owner.username]),
        "people list": reverse("social:followers", args=[friend.username]),
        "people search": reverse("social:search") + "?q=owner&kind=people",
        "post search": reverse("social:search") + "?q=lantern&kind=posts",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert _badges(response.content.decode()), name
    # Only the verified person carries it: the post page shows owner's card and comment, not friend's.
    detail = client.get(post.get_absolute_url()).content.decode()
    assert len(_badges(detail)) == 2
