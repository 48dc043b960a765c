"""Every template a person reads is marked for translation, so the Spanish interface is whole."""

from pathlib import Path

from django.conf import settings

from modelsnapper.testing.untranslated import untranslated_templates, untranslated_text

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Templates whose text is not marked yet. This list only shrinks: mark a template's text
# (and translate it in locale/es) and take it off.
STILL_IN_ENGLISH = {
    "admin/billing/royalty_payout.html",
    "admin/index.html",
    "generation/marketplace/consent.html",
    "generation/marketplace/for_businesses.html",
    "generation/marketplace/inbox.html",
    "generation/marketplace/invoices.html",
    "generation/marketplace/license.html",
    "generation/marketplace/onboarding.html",
    "generation/marketplace/requests.html",
    "generation/marketplace/revoke.html",
    "generation/marketplace/royalties.html",
    "generation/marketplace/usage.html",
    "generation/marketplace/usage_history.html",
    "generation/marketplace/withdraw.html",
    "generation/my_model_delete_confirm.html",
    "generation/staff_analytics.html",
    "social/_layout.html",
    "social/article_detail.html",
    "social/articles.html",
    "social/close_friends.html",
    "social/collection_delete.html",
    "social/collection_form.html",
    "social/comment_edit.html",
    "social/confirm.html",
    "social/feed.html",
    "social/group_deactivate.html",
    "social/group_detail.html",
    "social/group_edit.html",
    "social/group_form.html",
    "social/group_members.html",
    "social/groups.html",
    "social/includes/comment.html",
    "social/includes/comment_items.html",
    "social/includes/follow_button.html",
    "social/includes/like_button.html",
    "social/includes/load_more.html",
    "social/includes/notification_items.html",
    "social/includes/post_card.html",
    "social/includes/post_tile.html",
    "social/includes/profile_posts.html",
    "social/includes/save_button.html",
    "social/notification_settings.html",
    "social/notifications.html",
    "social/people.html",
    "social/post_detail.html",
    "social/post_form.html",
    "social/post_publish_generation.html",
    "social/profile_posts_page.html",
    "social/report_form.html",
    "social/save_form.html",
    "social/saved.html",
    "social/search.html",
    "social/stories.html",
    "social/story_delete.html",
    "social/story_detail.html",
    "social/story_form.html",
    "social/tags.html",
}


def test_text_outside_a_translate_tag_is_found():
    source = '{% load i18n %}<h1>{% translate "Saved" %}</h1><p title="Open it">Hello {{ name }}</p>'

    assert untranslated_text(source) == ["Open it", "Hello"]


def test_text_inside_translate_tags_comments_scripts_and_tag_attributes_is_not_prose():
    source = (
        '{% load i18n %}<a href="{% url "home" %}" class="button" aria-current="page">'
        "{% blocktranslate count n=n %}{{ n }} post{% plural %}{{ n }} posts{% endblocktranslate %}</a>"
        "{% comment %}Not shown{% endcomment %}<!-- nor this --><script>let shown = false;</script>"
        '<img alt="{% translate "A cat" %}"> ModelSnapper · {{ count }}'
    )

    assert untranslated_text(source) == []


def test_every_template_outside_the_pending_list_is_translated():
    missing = untranslated_templates(TEMPLATES)

    assert {name: text for name, text in missing.items() if name not in STILL_IN_ENGLISH} == {}


def test_the_pending_list_names_only_templates_that_still_have_english_text():
    missing = untranslated_templates(TEMPLATES)

    assert sorted(STILL_IN_ENGLISH - set(missing)) == []
