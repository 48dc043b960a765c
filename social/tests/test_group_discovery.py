"""Groups discovery: a category filter on the groups page (issue 14 item 15, first part)."""

from django.urls import reverse

from social import services


def test_the_category_filter_lists_only_that_categorys_groups_and_keeps_it_while_paging(client, owner):
    art = services.group_create(creator=owner, name="Painters", category="AI Art")
    tech = services.group_create(creator=owner, name="Builders", category="Tech")
    hidden = services.group_create(
        creator=owner, name="Secret painters", category="AI Art", visibility="secret"
    )

    body = client.get(reverse("social:groups"), {"category": "AI Art"}).content.decode()

    assert art.get_absolute_url() in body
    assert tech.get_absolute_url() not in body and hidden.get_absolute_url() not in body
    assert 'aria-current="page">AI Art</a>' in body
    everything = client.get(reverse("social:groups")).content.decode()
    assert art.get_absolute_url() in everything and tech.get_absolute_url() in everything


def test_an_unknown_category_is_ignored_not_an_error(client, owner):
    group = services.group_create(creator=owner, name="Anything", category="General")
    response = client.get(reverse("social:groups"), {"category": "<script>"})
    assert response.status_code == 200 and group.get_absolute_url() in response.content.decode()


def test_load_more_keeps_the_category(client, owner, settings):
    for i in range(22):
        services.group_create(creator=owner, name=f"Tech {i}", category="Tech")
    services.group_create(creator=owner, name="Elsewhere", category="Photography")
    body = client.get(reverse("social:groups"), {"category": "Tech"}).content.decode()
    assert "category=Tech&amp;cursor=" in body
