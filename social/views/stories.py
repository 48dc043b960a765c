"""Stories: the strip, create, view (the author sees who viewed), delete, media; the close-friends list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modelsnapper.media import serve_file, serve_variant
from modelsnapper.picture_sources import picture_for
from social import selectors, services
from social.forms import StoryForm
from social.services import SocialError


@login_required
def stories(request):
    return render(request, "social/stories.html", {"stories": selectors.active_stories(request.user)})


@login_required
def story_create(request):
    form = StoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            story = services.story_create(
                author=request.user,
                kind=data["kind"],
                text=data["text"],
                background_color=data["background_color"],
                media=data.get("media"),
                visibility=data["visibility"],
                ai_generated=data["ai_generated"],
                ai_activity=data["ai_activity"],
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(story.get_absolute_url())
    return render(request, "social/story_form.html", {"form": form})


@login_required
def story_detail(request, story_id):
    story = selectors.story_for_viewer(request.user, story_id)
    services.story_record_view(story=story, viewer=request.user)
    # Who viewed is the author's alone.
    viewers = selectors.story_viewers(story) if story.author_id == request.user.pk else None
    return render(request, "social/story_detail.html", {"story": story, "viewers": viewers})


@login_required
def story_delete(request, story_id):
    """GET asks for confirmation; POST deletes (the author only: anyone else gets a 404)."""
    story = selectors.story_for_viewer(request.user, story_id)
    if story.author_id != request.user.pk:
        raise Http404("No such story.")
    if request.method == "POST":
        services.story_delete(user=request.user, story=story)
        messages.success(request, _("Story deleted."))
        return redirect("social:stories")
    return render(request, "social/story_delete.html", {"story": story})


@login_required
def close_friends(request):
    return render(
        request,
        "social/close_friends.html",
        {
            "friends": selectors.close_friends(request.user),
            "candidates": selectors.close_friend_candidates(request.user),
        },
    )


@login_required
@require_POST
def close_friend_toggle(request, username: str):
    person = get_object_or_404(get_user_model(), username=username)
    if request.POST.get("remove"):
        services.close_friend_remove(owner=request.user, friend=person)
        messages.success(
            request, _("%(name)s is no longer on your close-friends list.") % {"name": person.username}
        )
    else:
        try:
            services.close_friend_add(owner=request.user, friend=person)
        except SocialError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("%(name)s is on your close-friends list.") % {"name": person.username}
            )
    return redirect("social:close_friends")


@login_required
def story_media(request, story_id):
    story = selectors.story_for_viewer(request.user, story_id)
    if not story.media:
        raise Http404("No media.")
    return serve_file(
        request,
        storage=default_storage,
        name=story.media.name,
        public=False,
        content_type=story.media_type or None,
    )


@login_required
def story_variant(request, story_id, variant: str):
    """A smaller WebP copy of an image story, to the viewers the story allows."""
    story = selectors.story_for_viewer(request.user, story_id)
    return serve_variant(
        request, variants=picture_for(story).variants, basename=variant, storage=default_storage, public=False
    )
