"""Post pages: create, publish a generated image, detail, edit, delete, media, like, save, share."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from generation.selectors import image_for_user
from modelsnapper.media import serve_file, serve_variant
from modelsnapper.picture_sources import picture_for
from social import selectors, services
from social.forms import CommentForm, PostEditForm, PostForm, PublishGenerationForm, SaveForm, split_tags
from social.models import Post
from social.services import SocialError
from social.views.common import _back, _cursor, _htmx, _record_view


@login_required
def post_create(request):
    form = PostForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        media = data.get("media") or None
        try:
            post = services.post_create(
                author=request.user,
                category=data["category"],
                caption=data["caption"],
                title=data["title"],
                media=media,
                visibility=data["visibility"],
                status=data["status"],
                tags=split_tags(data["tags"]),
                location_name=data["location_name"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                thumbnail=getattr(data.get("media"), "thumbnail", None),
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Posted.") if post.status == Post.Status.PUBLISHED else _("Saved."))
            return redirect(post.get_absolute_url())
    return render(request, "social/post_form.html", {"form": form, "editing": False})


@login_required
def post_publish_generation(request, image_id):
    """Publish one of my generated images to the feed, with its AI details."""
    image = image_for_user(request.user, image_id)
    form = PublishGenerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post, created = services.post_publish_generation(
                author=request.user,
                image=image,
                caption=data["caption"],
                visibility=data["visibility"],
                tags=split_tags(data["tags"]),
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if created:
                messages.success(request, _("Published to your feed."))
            else:
                messages.info(request, _("You already published this image: here is its post."))
            return redirect(post.get_absolute_url())
    return render(request, "social/post_publish_generation.html", {"form": form, "image": image})


def post_detail(request, post_id):
    post, comments = selectors.post_page(request.user, post_id, _cursor(request))
    _record_view(request, post)
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/comment_items.html", {"post": post, "comments": comments})
    return render(
        request,
        "social/post_detail.html",
        {
            "post": post,
            "comments": comments,
            "comment_form": CommentForm(),
            "save_form": SaveForm(),
            "share_url": request.build_absolute_uri(post.get_absolute_url()),
        },
    )


def _own_post(request, post_id) -> Post:
    post = selectors.post_for_viewer(request.user, post_id)
    if post.author_id != request.user.pk:
        raise Http404("No such post.")
    return post


@login_required
def post_edit(request, post_id):
    post = _own_post(request, post_id)
    initial = {
        "title": post.title,
        "caption": post.caption,
        "tags": " ".join(post.tags),
        "location_name": post.location_name,
        "latitude": post.latitude,
        "longitude": post.longitude,
        "visibility": post.visibility,
        "status": post.status,
    }
    form = PostEditForm(request.POST or None, initial=initial, category=post.category)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_update(
                post=post,
                editor=request.user,
                caption=data["caption"],
                title=data["title"],
                visibility=data["visibility"],
                status=data["status"],
                tags=split_tags(data["tags"]),
                location_name=data["location_name"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Post updated."))
            return redirect(post.get_absolute_url())
    return render(request, "social/post_form.html", {"form": form, "editing": True, "post": post})


@login_required
def post_delete(request, post_id):
    post = _own_post(request, post_id)
    if request.method == "POST":
        services.post_delete(post=post, by=request.user)
        messages.success(request, _("Post deleted."))
        return redirect("social:profile_posts", username=request.user.username)
    return render(
        request,
        "social/confirm.html",
        {"title": _("Delete this post?"), "object": post, "action": _("Delete")},
    )


def post_media(request, post_id, which: str = "media"):
    """Post media with the post's privacy rules (files live under private/<author>/)."""
    post = selectors.post_for_viewer(request.user, post_id)
    field = post.thumbnail if which == "thumbnail" else post.media
    if not field:
        raise Http404("No media.")
    return serve_file(
        request,
        storage=default_storage,
        name=field.name,
        public=post.visibility == Post.Visibility.PUBLIC and post.listed,
        content_type="image/png" if which == "thumbnail" else post.media_type or None,
    )


def post_variant(request, post_id, variant: str):
    """A smaller WebP copy of the post's picture (or a video's poster), with the same privacy rules."""
    post = selectors.post_for_viewer(request.user, post_id)
    return serve_variant(
        request,
        variants=picture_for(post).variants,
        basename=variant,
        storage=default_storage,
        public=post.visibility == Post.Visibility.PUBLIC and post.listed,
    )


@login_required
@require_POST
def post_like(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    try:
        liked = services.like_toggle(user=request.user, target=post)
    except SocialError as exc:
        messages.error(request, exc.message)
        liked = False
    if _htmx(request):
        post.refresh_from_db(fields=["likes_count"])
        post.viewer_liked = liked
        return render(request, "social/includes/like_button.html", {"post": post})
    return redirect(_back(request, post.get_absolute_url()))


@login_required
def post_likers(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    page = selectors.post_likers(request.user, post, _cursor(request))
    return render(request, "social/people.html", {"page": page, "heading": _("Liked by"), "post": post})


@login_required
@require_POST
def post_save(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    if request.POST.get("remove"):
        services.save_delete(user=request.user, post=post)
        saved = False
    else:
        form = SaveForm(request.POST)
        saved = False
        if form.is_valid():
            try:
                services.save_create(
                    user=request.user,
                    post=post,
                    collection_name=form.cleaned_data["collection"],
                    notes=form.cleaned_data["notes"],
                )
                saved = True
            except SocialError as exc:
                messages.error(request, exc.message)
                # Already saved (or not): what the button shows is what is stored, whatever the refusal said.
                saved = selectors.decorate_posts(request.user, [post])[0].viewer_saved
        else:
            messages.error(request, _("Collection names are up to 60 characters and notes up to 500."))
    if _htmx(request):
        post.viewer_saved = saved
        return render(request, "social/includes/save_button.html", {"post": post})
    return redirect(_back(request, post.get_absolute_url()))


@login_required
@require_POST
def post_share(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    services.post_share(post=post, user=request.user)
    url = request.build_absolute_uri(post.get_absolute_url())
    if _htmx(request):
        return HttpResponse(
            format_html(
                '<input class="share-link" readonly value="{}" aria-label="{}">', url, _("Share link")
            )
        )
    messages.success(request, _("Share link: %(url)s") % {"url": url})
    return redirect(post.get_absolute_url())
