"""A grid tile works out its post's address once, however many links on the tile point there.

``reverse`` (behind ``Post.get_absolute_url``) was a visible share of a feed page's CPU under
the soak (issue 18 item 3): each tile asked for the same address twice (the picture or text
link, and "Open").
"""

from django.urls import reverse

from social.models import Post


def test_a_feed_asks_each_tile_for_its_posts_address_once(client, friend, following, make_post, monkeypatch):
    posts = [make_post(caption=f"post {n}") for n in range(4)]
    asked: list[str] = []
    address = Post.get_absolute_url

    def counted(post):
        asked.append(str(post.pk))
        return address(post)

    monkeypatch.setattr(Post, "get_absolute_url", counted)
    client.force_login(friend)

    response = client.get(reverse("social:following"))

    assert response.status_code == 200
    assert sorted(asked) == sorted(str(post.pk) for post in posts)
    for post in posts:  # every link of the tile still points at the post
        assert response.content.decode().count(f'href="{address(post)}"') == 2
