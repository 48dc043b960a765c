"""People: profile posts, follow, block, followers and following, saved posts, my dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from social import selectors, services
from social.models import SaveCollection
from social.services import SocialError
from social.views.common import _back, _category, _cursor, _htmx


def profile_posts(request, username: str):
    person = selectors.person_for_viewer(request.user, username)
    context = selectors.profile_context(
        request.user,
        person,
        category=_category(request),
        cursor=_cursor(request),
        status=request.GET.get("status"),
    )
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/post_items.html", context)
    return render(request, "social/profile_posts_page.html", context)


@login_required
@require_POST
def follow_toggle(request, username: str):
    person = selectors.person_for_viewer(request.user, username)
    try:
        now_following = services.follow_toggle(follower=request.user, following=person)
    except SocialError as exc:
        if _htmx(request):
            return HttpResponse(format_html('<p class="errorlist" role="alert">{}</p>', exc.message))
        messages.error(request, exc.message)
        return redirect(_back(request, reverse("social:profile_posts", kwargs={"username": username})))
    if _htmx(request):
        person.refresh_from_db(fields=["stats"])
        return render(
            request,
            "social/includes/follow_button.html",
            # A new follow notifies of posts (the model's default) until switched off.
            {"person": person, "is_following": now_following, "follow_notify": True},
        )
    return redirect(_back(request, reverse("social:profile_posts", kwargs={"username": username})))


@login_required
@require_POST
def block_toggle(request, username: str):
    person = selectors.person_for_viewer(request.user, username)
    if request.POST.get("unblock"):
        services.block_delete(blocker=request.user, blocked=person)
        messages.success(request, _("You unblocked %(name)s.") % {"name": person.username})
    else:
        try:
            services.block_create(blocker=request.user, blocked=person)
        except SocialError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("You blocked %(name)s. They can no longer see, follow or comment on you.")
                % {"name": person.username},
            )
    return redirect("social:profile_posts", username=person.username)


def people(request, username: str, direction: str):
    person = selectors.person_for_viewer(request.user, username)
    page = selectors.follow_list(person, direction=direction, cursor=_cursor(request))
    names = {"name": person.username}
    heading = (
        _("Followers of %(name)s") % names if direction == "followers" else _("%(name)s follows") % names
    )
    return render(request, "social/people.html", {"page": page, "heading": heading, "person": person})


@login_required
def saved(request, collection_id=None):
    collection = None
    if collection_id is not None:
        collection = get_object_or_404(
            SaveCollection, pk=selectors.parse_object_id(collection_id), user=request.user
        )
    page = selectors.saved_posts(request.user, collection, _cursor(request))
    context = {
        "page": page,
        "collections": selectors.save_collections(request.user),
        "collection": collection,
    }
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/saved_items.html", context)
    return render(request, "social/saved.html", context)


@login_required
def dashboard(request):
    return render(request, "social/dashboard.html", {"stats": selectors.dashboard(request.user)})
