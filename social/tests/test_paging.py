"""Every social list pages one way (``modelsnapper.paging.keyset_page``): a malformed cursor
is a 404, as on the billing and generation lists, never a silently restarted first page."""

import pytest
from django.urls import reverse

from modelsnapper.testing.factories import ArticleFactory
from social import services
from social.models import Article

# Lists and how to build their URL from the fixture objects; each takes ``?cursor=``.
LISTS = {
    "following": lambda o: reverse("social:following"),
    "explore": lambda o: reverse("social:explore"),
    "liked": lambda o: reverse("social:liked"),
    "saved": lambda o: reverse("social:saved"),
    "saved_collection": lambda o: reverse("social:saved_collection", args=[o["save"].collection_id]),
    "post_comments": lambda o: reverse("social:post_detail", args=[o["post"].pk]),
    "post_likers": lambda o: reverse("social:post_likers", args=[o["post"].pk]),
    "profile_posts": lambda o: reverse("social:profile_posts", args=["owner"]),
    "account_profile": lambda o: reverse("accounts:profile", args=["owner"]),
    "followers": lambda o: reverse("social:followers", args=["owner"]),
    "following_list": lambda o: reverse("social:following_list", args=["owner"]),
    "notifications": lambda o: reverse("social:notifications"),
    "tag": lambda o: reverse("social:tag", args=["paging"]),
    "groups": lambda o: reverse("social:groups"),
    "group_detail": lambda o: reverse("social:group_detail", args=[o["group"].slug]),
    "articles": lambda o: reverse("social:articles"),
}


@pytest.fixture
def lists(owner, friend, owner_client):
    """One of everything, so each list has a row older than any cursor the tests pass."""
    post = services.post_create(author=owner, category="text-post", caption="a #paging post")
    services.comment_create(author=friend, post=post, text="first")
    services.like_add(user=owner, target=post)
    services.follow_create(follower=friend, following=owner)
    group = services.group_create(creator=owner, name="Paging club")
    ArticleFactory(title="An article", slug="an-article", status=Article.Status.PUBLISHED, author=owner)
    save = services.save_create(user=owner, post=post, collection_name="Later")
    return {"post": post, "group": group, "save": save}


@pytest.mark.parametrize("name", sorted(LISTS))
@pytest.mark.parametrize("cursor", ["not-an-object-id", "1" * 25])
def test_a_malformed_cursor_on_any_social_list_is_a_404(owner_client, lists, name, cursor):
    response = owner_client.get(LISTS[name](lists), {"cursor": cursor})

    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_well_formed_cursor_on_any_social_list_still_pages(owner_client, lists, name):
    newer_than_everything = "f" * 24  # an ObjectId later than every row: the first page again

    first = owner_client.get(LISTS[name](lists))
    paged = owner_client.get(LISTS[name](lists), {"cursor": newer_than_everything})

    assert first.status_code == 200
    assert paged.status_code == 200


def test_the_articles_next_cursor_leads_to_the_older_articles(client, owner):
    for n in range(21):
        ArticleFactory(
            title=f"Article {n}", slug=f"article-{n}", status=Article.Status.PUBLISHED, author=owner
        )

    first = client.get(reverse("social:articles"))
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("social:articles"), {"cursor": cursor})

    assert [a.title for a in first.context["page"].items] == [f"Article {n}" for n in range(20, 0, -1)]
    assert [a.title for a in second.context["page"].items] == ["Article 0"]
    assert second.context["page"].next_cursor is None
