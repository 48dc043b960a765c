"""A post's place with optional coordinates, and posts near a point (issue 14, item 9; social.geo).

Places used: Paris (the centre of every search), Montmartre (3 km), Versailles (17 km), a point
in the 25 km circle's bounding box but 31 km away (its corner), Lyon (392 km).
"""

import json

import pytest
from django.urls import reverse

from modelsnapper.testing.factories import PostFactory
from social import geo, services
from social.models import Post

PARIS = (48.8566, 2.3522)
MONTMARTRE = (48.8867, 2.3431)
VERSAILLES = (48.8049, 2.1204)
CORNER = (49.0566, 2.6522)  # inside the 25 km box around Paris, outside its circle
LYON = (45.7640, 4.8357)


def _placed(author, where, name="Somewhere", **kwargs):
    lat, lon = where
    return PostFactory(author=author, location_name=name, latitude=lat, longitude=lon, **kwargs)


@pytest.fixture(params=[True, False], ids=["2dsphere", "bounding-box"])
def geo_path(request, settings):
    """Each near test runs on both paths of social.geo's switch."""
    settings.SOCIAL_GEO_INDEX = request.param
    return request.param


def _all_pages(viewer, near, size):
    pages, cursor = [], None
    while True:
        page = geo.posts_near(viewer, near, cursor, size=size)
        pages.append([p.pk for p in page.items])
        if not page.next_cursor:
            return pages
        cursor = page.next_cursor


def test_a_post_with_a_place_and_coordinates_shows_the_place_and_a_link_to_posts_near_it(
    owner_client, client
):
    response = owner_client.post(
        reverse("social:post_create"),
        {
            "category": "text-post",
            "caption": "Morning light",
            "location_name": "Paris",
            "latitude": "48.8566",
            "longitude": "2.3522",
            "visibility": "public",
            "status": "published",
        },
    )
    post = Post.objects.get(caption="Morning light")
    assert response.status_code == 302
    assert post.location == {"type": "Point", "coordinates": [2.3522, 48.8566]}
    assert (post.latitude, post.longitude) == (48.8566, 2.3522)

    body = client.get(post.get_absolute_url()).content.decode()
    assert "📍 Paris" in body
    link = f"{reverse('social:posts_near')}?near=48.8566,2.3522&amp;place=Paris"
    assert f'{link}">Posts near here</a>' in body
    near_page = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Posts within 25 km of Paris" in near_page and post.get_absolute_url() in near_page


def test_a_place_without_coordinates_shows_its_name_and_no_near_link(owner, client):
    post = PostFactory(author=owner, location_name="Somewhere quiet")
    assert post.location is None
    body = client.get(post.get_absolute_url()).content.decode()
    assert "📍 Somewhere quiet" in body and "Posts near here" not in body


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"latitude": "91", "longitude": "2"}, "latitude", "Latitude must be between -90 and 90 degrees."),
        (
            {"latitude": "48", "longitude": "-180.5"},
            "longitude",
            "Longitude must be between -180 and 180 degrees.",
        ),
        ({"latitude": "48"}, "longitude", "Give the longitude too, or leave both empty."),
        ({"longitude": "2"}, "latitude", "Give the latitude too, or leave both empty."),
        (
            {"latitude": "north", "longitude": "2"},
            "latitude",
            "Enter the latitude in degrees, for example 48.8566.",
        ),
        ({"latitude": "48", "longitude": "2", "location_name": ""}, "location_name", "Name the place too"),
    ],
)
def test_bad_coordinates_are_refused_with_a_clear_message_and_nothing_is_posted(
    owner_client, fields, field, message
):
    data = {
        "category": "text-post",
        "caption": "Where?",
        "location_name": "Paris",
        "visibility": "public",
        "status": "published",
        **fields,
    }
    response = owner_client.post(reverse("social:post_create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Post.objects.filter(caption="Where?").exists()


def test_the_service_refuses_bad_coordinates_too(owner):
    with pytest.raises(services.SocialError, match="Latitude must be between"):
        services.post_create(
            author=owner,
            category="text-post",
            caption="x",
            location_name="Nowhere",
            latitude=-90.5,
            longitude=0,
        )
    assert not Post.objects.exists()


def test_editing_the_place_changes_or_clears_its_coordinates(owner, owner_client):
    post = _placed(owner, PARIS, name="Paris")
    edit = {"caption": post.caption, "title": "", "tags": "", "visibility": "public", "status": "published"}

    owner_client.post(
        reverse("social:post_edit", args=[post.pk]),
        {**edit, "location_name": "Lyon", "latitude": "45.764", "longitude": "4.8357"},
    )
    post.refresh_from_db()
    assert (post.location_name, post.location["coordinates"]) == ("Lyon", [4.8357, 45.764])

    owner_client.post(reverse("social:post_edit", args=[post.pk]), {**edit, "location_name": "Lyon"})
    post.refresh_from_db()
    assert post.location_name == "Lyon" and (post.location, post.latitude, post.longitude) == (
        None,
        None,
        None,
    )


def test_a_group_post_can_carry_a_place(owner, owner_client):
    group = services.group_create(creator=owner, name="Walkers")
    owner_client.post(
        reverse("social:group_post", args=[group.slug]),
        {
            "category": "text-post",
            "caption": "Meet here",
            "location_name": "Versailles",
            "latitude": "48.8049",
            "longitude": "2.1204",
        },
    )
    post = Post.objects.get(caption="Meet here")
    assert post.group_id == group.pk and post.location["coordinates"] == [2.1204, 48.8049]
    near = geo.parse_near("48.8566,2.3522", "25")
    assert [p.pk for p in geo.posts_near(owner, near).items] == [post.pk]


def test_near_lists_the_posts_within_the_radius_newest_first(geo_path, owner, stranger):
    paris = _placed(owner, PARIS)
    _placed(owner, LYON)
    _placed(owner, CORNER)
    PostFactory(author=owner, location_name="No coordinates")
    montmartre = _placed(owner, MONTMARTRE)
    versailles = _placed(owner, VERSAILLES)

    near = geo.parse_near("48.8566,2.3522", "25")
    assert geo.geo_index_available() is geo_path
    assert [p.pk for p in geo.posts_near(stranger, near).items] == [versailles.pk, montmartre.pk, paris.pk]
    five = geo.parse_near("48.8566,2.3522", "5")
    assert [p.pk for p in geo.posts_near(stranger, five).items] == [montmartre.pk, paris.pk]


def test_both_paths_give_the_same_pages(owner, stranger, settings):
    """Page by page, with the box's corner posts interleaved (the fallback must read past them)."""
    for i in range(5):
        _placed(owner, PARIS)
        _placed(owner, CORNER)
        _placed(owner, LYON)
        _placed(owner, VERSAILLES if i % 2 else MONTMARTRE)
    near = geo.parse_near("48.8566,2.3522", "25")

    settings.SOCIAL_GEO_INDEX = True
    on_index = _all_pages(stranger, near, size=3)
    settings.SOCIAL_GEO_INDEX = False
    on_box = _all_pages(stranger, near, size=3)

    assert on_index == on_box
    assert [len(p) for p in on_index] == [3, 3, 3, 1]
    everything = [pk for page in on_index for pk in page]
    assert everything == sorted(everything, reverse=True) and len(set(everything)) == 10


def test_near_finds_posts_across_the_antimeridian(geo_path, owner, stranger):
    east = _placed(owner, (-17.0, 179.95))
    west = _placed(owner, (-17.0, -179.95))
    _placed(owner, (-17.0, 178.0))  # 212 km west
    near = geo.parse_near("-17,179.99", "25")
    assert {p.pk for p in geo.posts_near(stranger, near).items} == {east.pk, west.pk}


def test_the_near_query_uses_the_2dsphere_index_on_the_embedded_server(settings, owner):
    settings.SOCIAL_GEO_INDEX = True
    _placed(owner, PARIS)
    near = geo.parse_near("48.8566,2.3522", "25")
    queryset = near.candidates(Post.objects.filter(live=True)).order_by("-pk")[:21]

    plan = json.loads(queryset.explain())["queryPlanner"]["winningPlan"]
    scans = []
    while plan:
        if plan.get("stage") == "IXSCAN":
            scans.append(plan["indexName"])
        plan = plan.get("inputStage")
    assert scans == [geo.GEO_INDEX]


def test_near_shows_only_posts_the_viewer_may_see(geo_path, client, owner, friend, stranger, blocked):
    services.follow_create(follower=friend, following=owner)
    public = _placed(owner, PARIS)
    for_followers = _placed(owner, MONTMARTRE, visibility="followers")
    _placed(owner, VERSAILLES, visibility="private")
    _placed(owner, PARIS, status="draft")
    closed = services.group_create(creator=owner, name="Inner circle", visibility="private")
    _placed(owner, PARIS, group=closed)
    near = geo.parse_near("48.8566,2.3522", "25")

    def seen(viewer):
        return [p.pk for p in geo.posts_near(viewer, near).items]

    assert seen(friend) == [for_followers.pk, public.pk]
    assert seen(stranger) == [public.pk]
    assert seen(blocked) == []
    assert seen(None) == [public.pk]
    body = client.get(reverse("social:posts_near"), {"near": "48.8566,2.3522"}).content.decode()
    assert public.get_absolute_url() in body and for_followers.get_absolute_url() not in body


def test_the_near_page_pages_with_its_place_and_radius(client, owner):
    posts = [_placed(owner, PARIS) for _ in range(22)]
    response = client.get(reverse("social:posts_near"), {"near": "48.8566,2.3522", "km": "5"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Posts within 5 km of 48.8566, 2.3522" in body
    assert posts[-1].get_absolute_url() in body and posts[0].get_absolute_url() not in body
    assert "near=48.8566%2C2.3522&amp;km=5&amp;cursor=" in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"near": "paris"}, "Give a place as latitude,longitude"),
        ({}, "Give a place as latitude,longitude"),
        ({"near": "95,2"}, "Latitude must be between -90 and 90 degrees."),
        ({"near": "48,2", "km": "5000"}, "Choose a distance between 1 and 200 km."),
        ({"near": "48,2", "km": "far"}, "Choose a distance between 1 and 200 km."),
    ],
)
def test_a_place_or_radius_that_cannot_be_read_is_a_400_that_says_why(client, params, message):
    response = client.get(reverse("social:posts_near"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
