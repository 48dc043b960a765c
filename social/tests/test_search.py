"""Search (issue 14, item 1): every kind is found, privacy holds, the index serves the query."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import user_soft_delete, user_update_profile
from generation.models import Image
from generation.services import image_set_public
from modelsnapper.testing.factories import ImageFactory, UserFactory
from social import search, services
from social.models import Article, Group, Post, Tag

# --- Tokenisation ------------------------------------------------------------------------------


def test_terms_are_lower_cased_accent_folded_words_and_their_prefixes():
    terms = search.index_terms("Café SUNSET")
    assert {"cafe", "ca", "caf", "sunset", "su", "sun", "suns", "sunse"} <= set(terms)
    assert "Café" not in terms and "café" not in terms
    assert "c" not in terms  # one letter finds too much to be worth an index entry


def test_a_query_is_folded_the_same_way_and_drops_one_letter_words():
    assert search.query_terms("  ÉTÉ à Paris ") == ["ete", "paris"]
    assert search.query_terms("a") == []


def test_long_words_are_found_by_their_longest_stored_prefix():
    terms = search.index_terms("photographically")
    assert "photographically" in terms
    (query,) = search.query_terms("photographicall")
    assert query in terms


# --- Each kind is found --------------------------------------------------------------------------


def _found(viewer, query, kind):
    return search.search(viewer, query=query, kind=kind).page.items


def test_a_post_is_found_by_its_caption_title_and_tags_whatever_the_case_and_accents(owner, stranger):
    post = services.post_create(
        author=owner, category="text-post", title="Crème brûlée", caption="Golden hour at the pier #Seaside"
    )
    assert _found(stranger, "creme", "posts") == [post]
    assert _found(stranger, "BRÛL", "posts") == [post]
    assert _found(stranger, "golden pier", "posts") == [post]
    assert _found(stranger, "seasi", "posts") == [post]
    assert _found(stranger, "golden winter", "posts") == []  # every word must match


def test_an_edited_post_is_found_by_its_new_words_only(owner, stranger):
    post = services.post_create(author=owner, category="text-post", caption="old words")
    services.post_update(post=post, editor=owner, caption="fresh lettering")
    assert _found(stranger, "fresh", "posts") == [post]
    assert _found(stranger, "old", "posts") == []


def test_a_person_is_found_by_name_and_username_and_by_a_new_name_after_editing(owner, stranger):
    person = UserFactory(username="zoe_lumen", full_name="Zoë Lumen")
    assert _found(stranger, "zoe", "people") == [person]
    assert _found(stranger, "lum", "people") == [person]
    user_update_profile(user=person, data={"full_name": "Astra Vale"})
    assert _found(stranger, "astra", "people") == [person]
    assert _found(stranger, "zoe", "people") == [person]  # still the username


def test_groups_tags_articles_and_public_images_are_found(owner, stranger, staff):
    group = services.group_create(creator=owner, name="Nebula Painters", description="Night skies")
    services.post_create(author=owner, category="text-post", caption="hello #nebulous")
    article = Article.objects.create(
        title="Lighting nebulae", slug="lighting", body="x", author=staff, status=Article.Status.PUBLISHED
    )
    Article.objects.create(title="Nebula draft", slug="draft", body="x", author=staff)
    image = ImageFactory(user=owner, prompt="A nebula over snowy mountains")
    image_set_public(image=image, public=True)
    ImageFactory(user=owner, prompt="A private nebula")

    assert _found(stranger, "nebula", "groups") == [group]
    assert [t.name for t in _found(stranger, "nebu", "tags")] == ["nebulous"]
    assert _found(stranger, "nebula", "articles") == [article]
    assert [i.pk for i in _found(stranger, "nebula", "images")] == [image.pk]


# --- Privacy -----------------------------------------------------------------------------------


def test_a_followers_only_post_is_found_by_a_follower_but_not_by_a_stranger_or_a_visitor(
    owner, friend, stranger
):
    from django.contrib.auth.models import AnonymousUser

    services.follow_create(follower=friend, following=owner)
    post = services.post_create(
        author=owner, category="text-post", caption="inner circle", visibility="followers"
    )
    assert _found(friend, "inner", "posts") == [post]
    assert _found(stranger, "inner", "posts") == []
    assert _found(AnonymousUser(), "inner", "posts") == []
    assert _found(owner, "inner", "posts") == [post]


def test_a_private_or_draft_post_is_found_only_by_its_author(owner, stranger):
    private = services.post_create(
        author=owner, category="text-post", caption="secret diary", visibility="private"
    )
    assert _found(stranger, "diary", "posts") == []
    assert _found(owner, "diary", "posts") == [private]


def test_blocked_people_and_their_posts_and_images_are_not_found_either_way(owner, blocked):
    mine = services.post_create(author=owner, category="text-post", caption="quartz garden")
    theirs = services.post_create(author=blocked, category="text-post", caption="quartz meadow")
    image = ImageFactory(user=owner, prompt="quartz cave")
    image_set_public(image=image, public=True)
    assert _found(blocked, "quartz", "posts") == [theirs]
    assert _found(owner, "quartz", "posts") == [mine]
    assert _found(blocked, "owner", "people") == []
    assert _found(owner, "blocked", "people") == []
    assert _found(blocked, "quartz", "images") == []


def test_a_secret_group_is_found_by_its_members_only(owner, stranger):
    group = services.group_create(creator=owner, name="Hidden Orchard", visibility="secret")
    assert _found(stranger, "orchard", "groups") == []
    assert _found(owner, "orchard", "groups") == [group]


def test_a_deleted_person_and_their_posts_are_not_found(owner, stranger):
    person = UserFactory(username="gone_soon", full_name="Gone Soon")
    services.post_create(author=person, category="text-post", caption="farewell tune")
    image = ImageFactory(user=person, prompt="farewell sunset")
    image_set_public(image=image, public=True)
    user_soft_delete(user=person)
    assert _found(stranger, "gone", "people") == []
    assert _found(stranger, "farewell", "posts") == []
    assert _found(stranger, "farewell", "images") == []


# --- Paging, index use, round trips ---------------------------------------------------------------


def test_pages_run_newest_first_without_gaps_or_repeats(owner, stranger):
    made = [
        services.post_create(author=owner, category="text-post", caption=f"lantern {n}") for n in range(5)
    ]
    seen, cursor = [], None
    while True:
        page = search.search(stranger, query="lantern", kind="posts", cursor=cursor, size=2).page
        seen.extend(page.items)
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(made))


def _winning_plan(queryset) -> dict:
    return json.loads(queryset.explain())["queryPlanner"]["winningPlan"]


def _stages(plan) -> list[str]:
    found = [plan.get("stage")]
    for key in ("inputStage", "queryPlan"):
        if isinstance(plan.get(key), dict):
            found += _stages(plan[key])
    for child in plan.get("inputStages", []):
        found += _stages(child)
    return found


@pytest.mark.parametrize(
    ("model", "base", "index"),
    [
        (Post, lambda: Post.objects.filter(live=True), "post_search"),
        (Group, lambda: Group.objects.filter(is_active=True), "group_search"),
        (Tag, lambda: Tag.objects.all(), "tag_search"),
        (Article, lambda: Article.objects.filter(status="published"), "article_search"),
        (Image, lambda: Image.objects.filter(is_public=True), "genimage_search"),
    ],
)
def test_the_search_query_is_an_index_scan_on_the_search_terms(owner, model, base, index):
    services.post_create(author=owner, category="text-post", caption="indexed words #indexed")
    qs = search.matching(base(), ["indexed", "words"]).order_by("-pk")[:21]
    plan = _winning_plan(qs)
    assert "IXSCAN" in _stages(plan), plan
    assert "COLLSCAN" not in _stages(plan), plan
    assert index in json.dumps(plan)


def test_the_people_search_is_an_index_scan_too(owner):
    from accounts.models import User
    from modelsnapper.queryshape import ShapedQuerySet

    qs = search.matching(ShapedQuerySet(User), ["owner"]).order_by("-pk")[:21]
    plan = _winning_plan(qs)
    assert "IXSCAN" in _stages(plan) and "COLLSCAN" not in _stages(plan), plan


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", list(search.KINDS))
def test_a_search_page_makes_the_same_number_of_queries_for_3_and_for_30_matches(
    client, owner, stranger, kind
):
    def add(n):
        for i in range(n):
            services.post_create(author=owner, category="text-post", caption=f"orbit #orbit{i % 3}")
            services.group_create(creator=owner, name=f"Orbit club {i}")
            UserFactory(full_name=f"Orbit Person {i}")
            Article.objects.create(
                title=f"Orbit {i}",
                slug=f"orbit-{kind}-{i}-{Article.objects.count()}",
                body="x",
                author=owner,
                status=Article.Status.PUBLISHED,
            )
            image_set_public(image=ImageFactory(user=owner, prompt=f"orbit {i}"), public=True)

    client.force_login(stranger)
    url = reverse("social:search") + f"?q=orbit&kind={kind}"
    add(3)
    client.get(url)  # the first request records the session
    small = _page_queries(client, url)
    add(27)
    large = _page_queries(client, url)
    assert small == large


def test_the_page_shows_tabs_results_and_a_load_more_link_without_internals(client, owner, stranger):
    for n in range(21):
        services.post_create(author=owner, category="text-post", caption=f"meadow {n}")
    client.force_login(stranger)
    response = client.get(reverse("social:search"), {"q": "Meadow", "kind": "posts"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "meadow 20" in body and "meadow 0" not in body
    assert 'aria-current="page"' in body and "kind=people" in body
    assert "Load more" in body
    more = client.get(response.context["more_url"])
    assert "meadow 0" in more.content.decode()
    assert str(owner.pk) not in body


def test_a_bad_cursor_or_an_empty_query_is_not_an_error(client, stranger):
    client.force_login(stranger)
    assert client.get(reverse("social:search"), {"q": "x"}).status_code == 200
    assert "at least two letters" in client.get(reverse("social:search"), {"q": "x"}).content.decode()
    assert client.get(reverse("social:search"), {"q": "meadow", "cursor": "nope"}).status_code == 404


def test_reindex_fills_missing_terms_once_and_a_dry_run_writes_nothing(owner, capsys):
    post = services.post_create(author=owner, category="text-post", caption="backfill me")
    Post.objects.filter(pk=post.pk).update(search_terms=[])
    call_command("search_reindex", "--dry-run")
    assert Post.objects.get(pk=post.pk).search_terms == []
    assert "posts: 1 read, 1 would change" in capsys.readouterr().out
    call_command("search_reindex")
    assert "backfill" in Post.objects.get(pk=post.pk).search_terms
    capsys.readouterr()
    call_command("search_reindex")  # a second run has nothing left to do
    lines = capsys.readouterr().out.splitlines()
    assert "posts: 1 read, 0 changed" in lines
    assert all(line.endswith(" 0 changed") for line in lines), lines


def test_every_page_has_a_labelled_search_box_that_leads_to_the_search_page(client, owner, stranger):
    services.post_create(author=owner, category="text-post", caption="harbour lights")
    body = client.get(reverse("social:explore")).content.decode()
    assert 'role="search"' in body and 'for="nav-search-q"' in body
    assert f'action="{reverse("social:search")}"' in body
    found = client.get(reverse("social:search"), {"q": "harbour"})
    assert "harbour lights" in found.content.decode()
    assert 'value="harbour"' in found.content.decode()


def test_bulk_seeded_posts_are_searchable_too(owner, stranger):
    from social.seed import seed_posts

    seed_posts(count=5, author_ids=[owner.pk])
    seeded = Post.objects.filter(author=owner, listed=True).first()
    word = search.words(seeded.caption)[0]
    assert seeded in search.search(stranger, query=word, kind="posts", size=50).page.items
