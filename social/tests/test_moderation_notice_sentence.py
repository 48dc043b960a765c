"""A moderator's notice reads in the author's language (issue #15.2 follow-up): it stores its
sentence (which thing, what was done, the reason as written) instead of English text only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from modelsnapper.testing.i18n import page_for, read_in
from social import services
from social.models import Notification


@pytest.mark.parametrize(
    ("action", "english", "spanish"),
    [
        ("hide", "Your post was hidden by moderators.", "Los moderadores han ocultado tu publicación."),
        ("remove", "Your post was removed by moderators.", "Los moderadores han retirado tu publicación."),
    ],
)
def test_a_post_moderation_notice_reads_in_the_authors_language(
    client, owner, staff, action, english, spanish
):
    post = services.post_create(author=owner, category="text-post", caption="words")
    services.moderation_apply(
        by=staff, target_type="post", target_id=str(post.pk), action=action, reason="Spam links"
    )
    notice = Notification.objects.get(recipient=owner, kind=Notification.Kind.MODERATION)
    assert notice.text == f"{english} Reason: Spam links"
    assert notice.sentence is not None
    page = page_for(client, read_in(owner, "es"), reverse("social:notifications"))
    assert f"{spanish} Motivo: Spam links" in page


def test_a_comment_restored_by_moderators_is_told_so_in_spanish(client, owner, friend, staff):
    post = services.post_create(author=friend, category="text-post", caption="words")
    comment = services.comment_create(author=owner, post=post, text="a comment")
    for action in ("hide", "restore"):
        services.moderation_apply(
            by=staff, target_type="comment", target_id=str(comment.pk), action=action, reason="Checked"
        )
    page = page_for(client, read_in(owner, "es"), reverse("social:notifications"))
    assert "Los moderadores han ocultado tu comentario. Motivo: Checked" in page
    assert "Los moderadores han restaurado tu comentario. Motivo: Checked" in page
