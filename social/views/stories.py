"""Stories: the strip, create, view, media."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render

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
    return render(request, "social/story_detail.html", {"story": story})


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
