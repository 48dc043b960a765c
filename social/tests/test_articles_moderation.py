import pytest
from django.urls import reverse

from modelsnapper.testing.factories import ArticleFactory
from social import services
from social.markdown import render_markdown
from social.models import Article, Comment, Notification, Post, Report


@pytest.fixture
def article(staff):
    return ArticleFactory(
        title="Hello",
        slug="hello",
        author=staff,
        status="published",
        body="# Title\n\nSome **bold** [link](https://example.com)\n\n<script>alert(1)</script>\n\n"
        '<img src="x" onerror="alert(2)"> [bad](javascript:alert(3))',
    )


def test_markdown_is_rendered_and_no_script_survives(client, article):
    body = client.get(article.get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in body and 'href="https://example.com"' in body
    assert "<script>" not in body and "onerror" not in body and "javascript:" not in body
    assert article.published_at is not None


@pytest.mark.parametrize(
    "payload",
    [
        "<script>x</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<div onclick="x()">y</div>',
        "<iframe src=//evil></iframe>",
        '<svg onload="x()">',
        "[x](javascript:alert(1))",
    ],
)
def test_render_markdown_strips_active_content(payload):
    html = render_markdown(payload)
    for bad in ("<script", "javascript:", "onclick", "<iframe", "onload", "<svg"):
        assert bad not in html.lower()


def test_draft_and_archived_articles_are_not_public(client, staff, article):
    ArticleFactory(title="Draft", slug="draft", author=staff, body="x")
    ArticleFactory(title="Old", slug="old", author=staff, body="x", status="archived")
    listing = client.get(reverse("social:articles")).content.decode()
    links = [reverse("social:article_detail", args=[slug]) for slug in ("hello", "draft", "old")]
    assert links[0] in listing and links[1] not in listing and links[2] not in listing
    assert client.get(reverse("social:article_detail", args=["draft"])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("social:article_detail", args=["draft"])).status_code == 200


def test_staff_write_articles_in_admin(client, staff):
    client.force_login(staff)
    response = client.post(
        "/admin/social/article/add/",
        {
            "title": "From admin",
            "slug": "from-admin",
            "summary": "",
            "body": "Hi *there*",
            "status": "published",
            "author": str(staff.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Article.objects.get(slug="from-admin").published_at


def test_blocklist_matches_whole_words_and_names_the_word(client, owner, friend, make_post):
    with pytest.raises(services.SocialError, match="“ScamCoin”"):
        services.post_create(author=owner, category="text-post", caption="buy ScamCoin now")
    post = services.post_create(
        author=owner, category="text-post", caption="scamcoins and notscamcoin are different words"
    )
    with pytest.raises(services.SocialError, match="freecrypto"):
        services.comment_create(author=friend, post=post, text="get freecrypto!")
    client.force_login(owner)
    response = client.post(
        reverse("social:post_create"),
        {"category": "text-post", "caption": "spamlink here", "visibility": "public", "status": "published"},
    )
    assert "“spamlink” is not allowed" in response.content.decode()


def test_reports_unique_per_reporter_and_target(client, friend, make_post):
    post = make_post()
    client.force_login(friend)
    client.post(reverse("social:report", args=["post", post.pk]), {"reason": "spam", "details": "ads"})
    response = client.post(reverse("social:report", args=["post", post.pk]), {"reason": "spam"}, follow=True)
    assert "already reported" in response.content.decode()
    assert Report.objects.count() == 1


def test_cannot_report_a_post_you_cannot_see(client, stranger, make_post):
    post = make_post(visibility="private")
    client.force_login(stranger)
    assert (
        client.post(reverse("social:report", args=["post", post.pk]), {"reason": "spam"}).status_code == 404
    )


def test_staff_hide_from_the_queue_author_sees_reason_and_restore(client, owner, friend, staff, make_post):
    post = make_post(caption="questionable")
    report = services.report_create(reporter=friend, target_type="post", target_id=post.pk, reason="spam")
    Report.objects.filter(pk=report.pk).update(resolution="Advertising is not allowed.")
    client.force_login(staff)
    client.post("/admin/social/report/", {"action": "hide_target", "_selected_action": [str(report.pk)]})
    post.refresh_from_db()
    report.refresh_from_db()
    assert post.moderation_state == "hidden" and not post.live and report.status == "actioned"
    note = Notification.objects.get(recipient=owner, kind="moderation")
    assert "Advertising is not allowed." in note.text
    client.force_login(friend)
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(owner)
    assert "Advertising is not allowed." in client.get(post.get_absolute_url()).content.decode()
    services.moderation_apply(by=staff, target_type="post", target_id=post.pk, action="restore", reason="")
    post.refresh_from_db()
    assert post.live and post.listed
    owner.refresh_from_db()
    assert owner.stats.posts == 1


def test_removed_comment_shows_placeholder_and_counts_down(client, owner, friend, staff, make_post):
    post = make_post()
    comment = services.comment_create(author=friend, post=post, text="rude words")
    services.moderation_apply(
        by=staff, target_type="comment", target_id=comment.pk, action="remove", reason="Harassment."
    )
    post.refresh_from_db()
    assert post.comments_count == 0
    client.force_login(friend)
    body = client.get(post.get_absolute_url()).content.decode()
    assert "rude words" not in body and "removed by moderators" in body and "Harassment." in body
    assert Comment.objects.get(pk=comment.pk).moderation_state == "removed"


def test_only_staff_moderate(owner, make_post):
    post = make_post()
    with pytest.raises(services.SocialError):
        services.moderation_apply(
            by=owner, target_type="post", target_id=post.pk, action="remove", reason="x"
        )
    assert Post.objects.get(pk=post.pk).live
