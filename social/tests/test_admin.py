import pytest
from django.contrib import admin

from modelsnapper.testing.factories import ArticleFactory
from social import services
from social.models import Article, Comment, Group, Post, Report, Story, Tag

MODELS = [Post, Comment, Report, Article, Group, Tag, Story]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_staff_reach_every_social_admin_page(client, staff, owner, friend, model):
    post = services.post_create(author=owner, category="text-post", caption="x #tag")
    services.comment_create(author=friend, post=post, text="c")
    services.report_create(reporter=friend, target_type="post", target_id=post.pk, reason="spam")
    services.group_create(creator=owner, name="G")
    services.story_create(author=owner, kind="text", text="s")
    ArticleFactory(title="A", slug="a", author=staff, body="b")
    assert model in admin.site._registry
    client.force_login(staff)
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    assert client.get(base).status_code == 200
    obj = model.objects.first()
    assert client.get(f"{base}{obj.pk}/change/").status_code == 200
    if admin.site._registry[model].has_add_permission(type("R", (), {"user": staff})()):
        assert client.get(f"{base}add/").status_code == 200


def test_admin_feature_action(client, staff, owner):
    post = services.post_create(author=owner, category="text-post", caption="x")
    client.force_login(staff)
    client.post("/admin/social/post/", {"action": "feature", "_selected_action": [str(post.pk)]})
    assert Post.objects.get(pk=post.pk).is_featured
