import io

from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from social import selectors, services
from social.models import Post
from social.seed import seed_posts


def test_every_social_page_renders_for_a_signed_in_person(client, owner, friend, following, make_post):
    post = make_post()
    comment = services.comment_create(author=friend, post=post, text="c")
    story = services.story_create(author=owner, kind="text", text="s")
    group = services.group_create(creator=owner, name="G")
    services.post_create(author=owner, category="text-post", caption="#tagged")
    collection = services.collection_get_or_create(user=owner, name="C")
    client.force_login(owner)
    urls = [
        reverse("social:following"),
        reverse("social:explore"),
        reverse("social:explore") + "?category=image-post",
        reverse("social:trending") + "?period=day",
        reverse("social:liked"),
        reverse("social:saved"),
        reverse("social:saved_collection", args=[collection.pk]),
        reverse("social:dashboard"),
        reverse("social:post_create"),
        post.get_absolute_url(),
        reverse("social:post_edit", args=[post.pk]),
        reverse("social:post_delete", args=[post.pk]),
        reverse("social:post_likers", args=[post.pk]),
        reverse("social:comment_edit", args=[comment.pk])
        if comment.author_id == owner.pk
        else reverse("social:explore"),
        reverse("social:profile_posts", args=[owner.username]),
        reverse("social:followers", args=[owner.username]),
        reverse("social:following_list", args=[friend.username]),
        reverse("social:notifications"),
        reverse("social:notification_settings"),
        reverse("social:stories"),
        reverse("social:story_create"),
        story.get_absolute_url(),
        reverse("social:tags"),
        reverse("social:tag", args=["tagged"]),
        reverse("social:groups"),
        reverse("social:group_create"),
        group.get_absolute_url(),
        reverse("social:group_members", args=[group.slug]),
        reverse("social:articles"),
        reverse("social:report", args=["post", post.pk]),
        reverse("social:report", args=["user", friend.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'href="/static/css/social.css"' in response.content or url.endswith("/badge/"), url


def test_anonymous_visitors_are_sent_to_log_in_for_personal_pages(client):
    for name in (
        "social:following",
        "social:liked",
        "social:saved",
        "social:dashboard",
        "social:notifications",
        "social:post_create",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_follow_via_htmx_and_lists(client, owner, friend):
    client.force_login(friend)
    response = client.post(reverse("social:follow_toggle", args=[owner.username]), HTTP_HX_REQUEST="true")
    assert "Following" in response.content.decode() and "1 follower" in response.content.decode()
    assert "@friend" in client.get(reverse("social:followers", args=[owner.username])).content.decode()
    assert "@owner" in client.get(reverse("social:following_list", args=[friend.username])).content.decode()
    client.force_login(owner)
    response = client.post(reverse("social:follow_toggle", args=[owner.username]), HTTP_HX_REQUEST="true")
    assert (
        "can&#x27;t follow yourself" in response.content.decode()
        or "can't follow yourself" in response.content.decode()
    )


def test_block_via_page_hides_my_profile_from_them(client, owner, friend):
    client.force_login(owner)
    client.post(reverse("social:block_toggle", args=[friend.username]))
    client.force_login(friend)
    assert client.get(reverse("social:profile_posts", args=[owner.username])).status_code == 404
    assert client.post(reverse("social:follow_toggle", args=[owner.username])).status_code == 404


def test_profile_posts_include_renders_for_the_accounts_page(owner, friend, make_post):
    make_post(caption="text one")
    services.post_create(author=owner, category="text-post", caption="followers text", visibility="followers")
    page = selectors.profile_posts(friend, owner, category="text-post")
    html = render_to_string(
        "social/includes/profile_posts.html",
        {
            "person": owner,
            "page": page,
            "category": "text-post",
            "categories": Post.Category.choices,
            "user": friend,
        },
    )
    assert "text one" in html and "followers text" not in html


def test_seed_posts_bulk_creates_with_progress_and_valid_flags(owner, friend):
    out = io.StringIO()
    made = seed_posts(count=2500, stdout=out)
    assert made == 2500 == Post.objects.count()
    assert "2,000/2,500" in out.getvalue() and "2,500/2,500" in out.getvalue()
    assert Post.objects.filter(listed=True).exists()
    newest = Post.objects.order_by("-id").first()
    assert newest.pk.generation_time.replace(microsecond=0) <= newest.created_at
    call_command("seed_posts", "--count", "5", "--dry-run", stdout=out)
    assert Post.objects.count() == 2500
