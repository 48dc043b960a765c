"""Explore, feeds, profile, liked and saved are picture grids: image tiles open the lightbox,
text posts read as text tiles, and the pages make no more queries than the card lists did."""

from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse

from modelsnapper.testing.html import parse
from modelsnapper.testing.media import png_file
from modelsnapper.variants import build_variants
from social import selectors, services

from .helpers import PINNED, page_queries

# The grid's columns (static/css/grid.css) as the tiles tell the browser: 2, 3, 4, then ≈215 px.
GRID_SIZES = (
    "(max-width: 559px) calc(50vw - 1.4rem), (max-width: 899px) calc(33.3vw - 1.2rem), "
    "(max-width: 1151px) calc(25vw - 1.1rem), 215px"
)


def _image_post(author, **kwargs):
    kwargs.setdefault("caption", "A lighthouse at dusk")
    return services.post_create(author=author, category="image-post", media=png_file(), **kwargs)


def _tile(body: str, post):
    tile = next(
        (t for t in parse(body).find_all("article", "tile") if t.attrs["id"] == f"post-{post.pk}"), None
    )
    assert tile is not None, f"no tile for {post}"
    return tile


def _grid_urls(owner, group):
    return {
        "explore": reverse("social:explore"),
        "following": reverse("social:following"),
        "trending": reverse("social:trending") + "?period=day",
        "tag": reverse("social:tag", args=["dusk"]),
        "profile": reverse("social:profile_posts", args=[owner.username]),
        "accounts profile": reverse("accounts:profile", args=[owner.username]),
        "liked": reverse("social:liked"),
        "saved": reverse("social:saved"),
        "group": reverse("social:group_detail", args=[group.slug]),
    }


def test_every_grid_page_shows_a_post_as_a_picture_tile_that_opens_the_lightbox(
    client, owner, friend, following
):
    from modelsnapper.testing.factories.social import group_with_members

    group = group_with_members(creator=owner, members=[friend])
    post = _image_post(owner, tags=["dusk"], group=group)
    services.like_add(user=friend, target=post)
    services.save_create(user=friend, post=post, notes="for the mood board")
    client.force_login(friend)

    for name, url in _grid_urls(owner, group).items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = parse(response.content.decode())
        grid = page.find("div", "media-grid")
        assert grid is not None, name
        tile = _tile(response.content.decode(), post)
        link = tile.find("a", "js-lightbox")
        # Without JavaScript the picture is a link to the post's page; with it, the lightbox.
        assert link.attrs["href"] == post.get_absolute_url(), name
        assert link.attrs["data-lightbox-url"] == reverse("social:post_lightbox", args=[post.pk]), name
        img = link.find("img")
        assert img.attrs["alt"] == "A lighthouse at dusk", name
        # Like, save and open are in the tile (shown on hover and keyboard focus).
        actions = tile.find(class_="tile-actions")
        assert actions.find("form", "save-control") is not None, name
        assert actions.find("button").attrs["aria-pressed"] == "true", name  # liked
        assert actions.find("a", "tile-open").attrs["href"] == post.get_absolute_url(), name
        # The page carries the lightbox once, with its script and the grid's stylesheet.
        assert len(page.find_all("dialog", "lightbox")) == 1, name
        assert any(s.attrs.get("src", "").endswith("js/lightbox.js") for s in page.find_all("script")), name
        assert any(s.attrs.get("href", "").endswith("css/grid.css") for s in page.find_all("link")), name
    saved = parse(client.get(reverse("social:saved")).content.decode())
    assert "Note: for the mood board" in saved.find("article", "tile").text


def test_a_tile_offers_the_pictures_variants_sized_to_the_grid_column(owner):
    """With variants stored (as the media pipeline makes them), a 215 px column picks the 256 one."""
    post = services.post_create(
        author=owner, category="image-post", caption="big", media=png_file(size=(1024, 1024))
    )
    with default_storage.open(post.media.name) as stored:
        built = build_variants(stored.read(), original_name=post.media.name, storage=default_storage)
    post.variants = built.to_data()  # what the store-time hook keeps on the post
    selectors.decorate_posts(AnonymousUser(), selectors.attach_authors([post]))

    img = parse(render_to_string("social/includes/post_tile.html", {"post": post})).find("img")

    assert img.attrs["sizes"] == GRID_SIZES
    srcset = [part.rsplit(" ", 1) for part in img.attrs["srcset"].split(", ")]
    assert [width for _, width in srcset] == ["256w", "512w", "1024w"]
    assert (img.attrs["width"], img.attrs["height"]) == ("1024", "1024")


def test_text_posts_read_as_text_tiles_with_their_words_and_no_picture(client, owner, friend):
    post = services.post_create(
        author=owner, category="text-post", title="Field notes", caption="The tide came in early today."
    )
    body = client.get(reverse("social:explore")).content.decode()

    tile = _tile(body, post)
    assert "tile-text" in tile.classes
    assert tile.find("img") is None and tile.find("a", "js-lightbox") is None
    link = tile.find("a", "tile-link")
    assert link.attrs["href"] == post.get_absolute_url()
    assert link.find("h2").text == "Field notes"
    assert "The tide came in early today." in link.text


def test_an_image_link_is_named_by_its_caption_else_its_prompt_else_its_author(client, owner):
    owner.full_name = "Olive Owner"
    owner.save(update_fields=["full_name"])
    captioned = _image_post(owner, caption="Harbour in fog")
    prompted = _image_post(owner, caption="", ai_details={"prompt": "a red kite over hills", "model": "Flux"})
    bare = _image_post(owner, caption="")

    body = client.get(reverse("social:explore")).content.decode()

    names = {
        p.pk: _tile(body, p).find("a", "js-lightbox").find("img").attrs["alt"]
        for p in (captioned, prompted, bare)
    }
    assert names == {
        captioned.pk: "Harbour in fog",
        prompted.pk: "a red kite over hills",
        bare.pk: "Post by Olive Owner",
    }


def test_my_own_followers_only_and_private_posts_say_so_on_their_tile(owner_client, owner):
    public = _image_post(owner)
    followers = _image_post(owner, visibility="followers")
    private = _image_post(owner, visibility="private")

    body = owner_client.get(reverse("social:profile_posts", args=[owner.username])).content.decode()

    assert _tile(body, public).find("p", "tile-flags") is None
    assert _tile(body, followers).find("p", "tile-flags").text == "Followers only"
    assert _tile(body, private).find("p", "tile-flags").text == "Only me"


def test_load_more_appends_tiles_to_the_grid_and_no_page_around_them(client, owner, friend):
    made = [_image_post(owner, caption=f"picture {n}") for n in range(25)]
    first = client.get(reverse("social:explore"))
    cursor = first.context["page"].next_cursor
    grid = parse(first.content.decode()).find("div", "media-grid")
    more_link = grid.find("div", "load-more").find("a")
    assert more_link.attrs["hx-target"] == "closest .load-more"

    # The first row (five columns on a desktop) loads at once, the rest when scrolled to.
    first_page = [t.find("img").attrs["loading"] for t in grid.find_all("article", "tile")]
    assert first_page == ["eager"] * 5 + ["lazy"] * 15

    more = client.get(reverse("social:explore") + f"?cursor={cursor}", HTTP_HX_REQUEST="true")

    page = parse(more.content.decode())
    assert page.find("h1") is None and page.find("dialog") is None
    tiles = page.find_all("article", "tile")
    assert [t.attrs["id"] for t in tiles] == [f"post-{p.pk}" for p in reversed(made[:5])]
    assert all(t.find("a", "js-lightbox") is not None for t in tiles)
    assert {t.find("img").attrs["loading"] for t in tiles} == {"lazy"}


def test_grid_pages_with_pictures_make_the_pinned_number_of_queries(client, owner, friend, following):
    """Tiles, pictures and their variants add no query: the counts pinned for text posts hold."""
    for n in range(6):
        _image_post(owner, caption=f"picture {n}", ai_details={"prompt": f"prompt {n}", "model": "Flux"})
    services.post_create(author=owner, category="text-post", caption="words")
    client.force_login(friend)
    urls = {
        "following": reverse("social:following"),
        "explore": reverse("social:explore"),
        "trending": reverse("social:trending") + "?period=month",
        "profile": reverse("social:profile_posts", args=[owner.username]),
    }
    for url in urls.values():  # the first request records the session; measure steady state
        client.get(url)

    counts = {name: page_queries(client, url, friend)[0] for name, url in urls.items()}

    assert counts == {name: PINNED[name] for name in urls}


def test_the_profile_shows_its_avatar_and_cover_through_their_small_variants(client, owner):
    for field, variants_attr, size in (
        ("avatar", "avatar_variants", (300, 300)),
        ("cover_image", "cover_variants", (1500, 500)),
    ):
        name = default_storage.save(f"avatars/{owner.pk}/{field}.png", png_file(size=size))
        with default_storage.open(name) as stored:
            built = build_variants(stored.read(), original_name=name, storage=default_storage)
        setattr(owner, field, name)
        setattr(owner, variants_attr, built.to_data())
    owner.full_name = "Olive Owner"
    owner.save()

    page = parse(client.get(reverse("accounts:profile", args=[owner.username])).content.decode())

    avatar = page.find("img", "avatar-large")
    assert avatar.attrs["alt"] == "Profile photo of Olive Owner"
    assert avatar.attrs["sizes"] == "(min-width: 48rem) 112px, 88px"
    assert [part.rsplit(" ", 1)[1] for part in avatar.attrs["srcset"].split(", ")] == ["256w", "300w"]
    cover = page.find("img", "profile-cover")
    assert cover.attrs["alt"] == "" and "1024w" in cover.attrs["srcset"]
