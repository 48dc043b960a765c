"""The author's drafts and archived posts (the profile's Drafts and Archived tabs): publish a
draft, archive a published post, restore an archived one. Each is a POST (CSRF) by the author."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from social import services
from social.models import Post
from social.services import SocialError
from social.views.common import _back
from social.views.posts import _own_post


def _move(request, post_id, *, service: Callable[..., bool], done: str, not_moved: str, tab: str):
    post = _own_post(request, post_id)  # someone else's post is a 404, like a missing one
    try:
        moved = service(post=post, by=request.user)
    except SocialError as exc:
        messages.error(request, exc.message)
    else:
        (messages.success if moved else messages.info)(request, done if moved else not_moved)
    profile = reverse("accounts:profile", kwargs={"username": request.user.username})
    return redirect(_back(request, f"{profile}?status={tab}" if tab else profile))


@login_required
@require_POST
def post_publish(request, post_id):
    return _move(
        request,
        post_id,
        service=services.post_publish,
        done=_("Published: your post is on your profile and in your followers' feeds."),
        not_moved=_("This post is not a draft any more, so there was nothing to publish."),
        tab=Post.Status.DRAFT,
    )


@login_required
@require_POST
def post_archive(request, post_id):
    return _move(
        request,
        post_id,
        service=services.post_archive,
        done=_("Archived: only you can see it now, under Archived on your profile."),
        not_moved=_("This post is not published, so there was nothing to archive."),
        tab=Post.Status.ARCHIVED,
    )


@login_required
@require_POST
def post_restore(request, post_id):
    return _move(
        request,
        post_id,
        service=services.post_restore,
        done=_("Restored: your post is published again."),
        not_moved=_("This post is not archived, so there was nothing to restore."),
        tab=Post.Status.ARCHIVED,
    )
