"""Comment actions: create, edit, delete, like."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from social import selectors, services
from social.forms import CommentForm
from social.models import Comment
from social.services import SocialError


@login_required
@require_POST
def comment_create(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(post.get_absolute_url())
    parent = None
    if form.cleaned_data["parent"]:
        oid = selectors.parse_object_id(form.cleaned_data["parent"])
        parent = Comment.objects.filter(pk=oid, post=post).first() if oid else None
        if parent is None:
            raise Http404("No such comment.")
    try:
        comment = services.comment_create(
            author=request.user, post=post, text=form.cleaned_data["text"], parent=parent
        )
    except SocialError as exc:
        messages.error(request, exc.message)
        return redirect(post.get_absolute_url())
    return redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")


@login_required
def comment_edit(request, comment_id):
    comment = selectors.comment_for_viewer(request.user, comment_id)
    if comment.author_id != request.user.pk:
        raise Http404("No such comment.")
    form = CommentForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(comment=comment, editor=request.user, text=form.cleaned_data["text"])
        except SocialError as exc:
            form.add_error("text", exc.message)
        else:
            return redirect(f"{comment.post.get_absolute_url()}#comment-{comment.pk}")
    return render(request, "social/comment_edit.html", {"form": form, "comment": comment})


@login_required
@require_POST
def comment_delete(request, comment_id):
    comment = selectors.comment_for_viewer(request.user, comment_id)
    try:
        services.comment_delete(comment=comment, by=request.user)
    except SocialError as exc:
        messages.error(request, exc.message)
    return redirect(comment.post.get_absolute_url())


@login_required
@require_POST
def comment_like(request, comment_id):
    comment = selectors.comment_for_viewer(request.user, comment_id)
    try:
        services.like_toggle(user=request.user, target=comment)
    except SocialError as exc:
        messages.error(request, exc.message)
    return redirect(f"{comment.post.get_absolute_url()}#comment-{comment.pk}")
