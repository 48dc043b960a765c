"""One navigation: a short primary bar, a bell, an account menu, and social sections as tabs."""

import re

import pytest
from django.urls import reverse

from accounts.templatetags.avatars import initials
from social import services


def header_of(html: str) -> str:
    return html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


def primary_links(html: str) -> list[str]:
    """The visible words of the links in the primary bar, in order."""
    bar = header_of(html).split('class="nav-primary"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", bar, re.S)]


def account_menu(html: str) -> str:
    return header_of(html).split('class="nav-account"', 1)[1].split("</details>", 1)[0]


def test_a_creator_sees_create_explore_feed_in_the_bar_and_the_rest_in_the_account_menu(owner_client, owner):
    html = owner_client.get("/").content.decode()

    assert primary_links(html) == ["Create", "Explore", "Feed"]
    menu = account_menu(html)
    for href in (
        reverse("billing:wallet"),
        reverse("generation:history"),
        reverse("accounts:settings"),
        f"/u/{owner.username}/",
        reverse("billing:pricing"),
    ):
        assert f'href="{href}"' in menu, href
    assert f'action="{reverse("account_logout")}"' in menu
    assert 'method="post"' in menu
    assert "Sign out" in menu
    assert 'href="/admin/"' not in menu


@pytest.mark.parametrize(
    ("persona", "url_name"), [("business", "marketplace:market"), ("model", "marketplace:onboarding")]
)
def test_the_marketplace_is_in_the_bar_only_for_the_roles_that_have_it(client, request, persona, url_name):
    client.force_login(request.getfixturevalue(persona))

    html = client.get("/").content.decode()

    assert primary_links(html) == ["Create", "Explore", "Feed", "Marketplace"]
    assert f'href="{reverse(url_name)}"' in header_of(html)


def test_staff_find_the_admin_and_analytics_in_the_account_menu(client, staff):
    client.force_login(staff)

    menu = account_menu(client.get("/").content.decode())

    assert 'href="/admin/"' in menu
    assert f'href="{reverse("billing:staff_analytics")}"' in menu


def test_a_visitor_sees_explore_pricing_sign_in_and_sign_up(client, db):
    html = client.get("/").content.decode()

    assert primary_links(html) == ["Explore", "Pricing"]
    header = header_of(html)
    assert 'href="/accounts/login/"' in header
    assert 'href="/accounts/signup/"' in header
    assert "nav-account" not in header
    assert "nav-bell" not in header


def test_the_bell_is_named_with_the_unread_count(client, owner, friend):
    for n in range(3):
        services.notification_create(recipient=owner, kind="coin_earned", text=f"bonus {n}")
    client.force_login(owner)

    bell = client.get(reverse("social:notification_badge")).content.decode()

    assert 'aria-label="Notifications, 3 unread"' in bell
    assert f'href="{reverse("social:notifications")}"' in bell


def test_the_bell_is_named_plainly_when_everything_is_read(owner_client):
    bell = owner_client.get(reverse("social:notification_badge")).content.decode()

    assert 'aria-label="Notifications"' in bell
    assert "badge" not in bell


def test_the_page_itself_carries_a_named_bell_before_the_count_arrives(owner_client):
    header = header_of(owner_client.get("/").content.decode())

    assert re.search(r'<a [^>]*class="nav-bell"[^>]*aria-label="Notifications"', header)
    assert f'hx-get="{reverse("social:notification_badge")}"' in header


def test_social_pages_show_their_sections_as_one_row_of_tabs_with_the_current_one_marked(owner_client):
    html = owner_client.get(reverse("social:trending")).content.decode()

    assert "social-subnav" not in html
    tabs = html.split('class="section-tabs"', 1)[1].split("</nav>", 1)[0]
    for name in (
        "following",
        "explore",
        "trending",
        "tags",
        "groups",
        "articles",
        "stories",
        "saved",
        "liked",
    ):
        assert f'href="{reverse("social:" + name)}"' in tabs, name
    assert re.findall(r'href="([^"]+)" aria-current="page"', tabs) == [reverse("social:trending")]


def test_a_group_page_marks_the_groups_tab(owner_client, owner):
    group = services.group_create(creator=owner, name="Night owls")

    html = owner_client.get(reverse("social:group_detail", args=[group.slug])).content.decode()

    tabs = html.split('class="section-tabs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)" aria-current="page"', tabs) == [reverse("social:groups")]


def test_the_account_menu_shows_my_avatar_as_a_small_picture(owner_client, owner):
    from modelsnapper.testing.media import png_file

    owner.avatar.save("me.png", png_file("me.png"), save=True)

    summary = account_menu(owner_client.get("/").content.decode()).split("</summary>", 1)[0]

    assert re.search(r'<img [^>]*class="avatar nav-avatar"', summary)
    assert 'width="32" height="32"' in summary
    assert "Your account" in summary


def test_without_an_avatar_the_account_menu_shows_my_initials(owner_client, owner):
    summary = account_menu(owner_client.get("/").content.decode()).split("</summary>", 1)[0]

    assert "<img" not in summary
    assert f">{initials(owner)}</span>" in summary
    assert initials(owner)[0] == owner.display_name[0].upper()
