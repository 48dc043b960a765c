"""Notifications: the list, the badge, read, e-mail settings, the follow's "Notify me" switch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from social import selectors, services
from social.forms import NotificationSettingsForm
from social.models import Notification, NotificationOptOut
from social.views.common import _back, _cursor, _htmx
from social.views.digests import digest_form_for


def _live(request, render_changed):
    """Answer a poll of the bell or the list: 304 when nothing changed since the ETag the
    browser holds (two indexed reads, nothing rendered), else ``render_changed(unread)``.
    ``no-cache`` makes the browser revalidate every poll instead of reusing its copy."""
    latest, unread = selectors.notification_state(request.user)
    # The language is part of what was rendered: a copy held in English is not current for a
    # reader who now reads Spanish.
    etag = f'"{latest}-{unread}-{get_language()}"'
    held = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    response = HttpResponseNotModified() if etag in held else render_changed(unread)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


@login_required
def notifications(request):
    if request.GET.get("live"):
        # The page's first notices, polled every few seconds (see the template).
        return _live(
            request,
            lambda unread: render(
                request,
                "social/includes/notification_items.html",
                {"page": selectors.notifications_page(request.user, None)},
            ),
        )
    page = selectors.notifications_page(request.user, _cursor(request))
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/notification_items.html", {"page": page, "more": True})
    return render(
        request, "social/notifications.html", {"page": page, "unread": selectors.unread_count(request.user)}
    )


@login_required
def notification_badge(request):
    return _live(
        request, lambda unread: render(request, "social/includes/notification_badge.html", {"unread": unread})
    )


@login_required
@require_POST
def notification_read(request, notification_id):
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    notification = Notification.objects.filter(
        pk=selectors.parse_object_id(notification_id), recipient=request.user
    ).first()
    if notification and notification.url and request.POST.get("open"):
        return redirect(notification.url)
    return redirect("social:notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext("Marked %(count)s notification as read.", "Marked %(count)s notifications as read.", count)
        % {"count": count},
    )
    return redirect("social:notifications")


@login_required
def notification_settings(request):
    off = set(NotificationOptOut.objects.filter(user=request.user).values_list("kind", flat=True))
    initial = {"email_kinds": [k for k in Notification.Kind.values if k not in off]}
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["email_kinds"])
        services.notification_set_email_optouts(
            user=request.user, kinds_off=[k for k in Notification.Kind.values if k not in wanted]
        )
        messages.success(request, _("E-mail settings saved."))
        return redirect("social:notification_settings")
    return render(
        request,
        "social/notification_settings.html",
        {"form": form, "digest_form": digest_form_for(request.user)},
    )


@login_required
@require_POST
def follow_notify(request, username: str):
    """Switch whether a followed person's new posts notify me (HTMX swaps the follow control)."""
    person = selectors.person_for_viewer(request.user, username)
    enabled = request.POST.get("enabled") == "1"
    back = _back(request, reverse("social:profile_posts", kwargs={"username": person.username}))
    if not services.follow_set_notifications(follower=request.user, following=person, enabled=enabled):
        message = _("Follow %(name)s first to be notified of their posts.") % {"name": person.username}
        if _htmx(request):
            return HttpResponse(format_html('<p class="errorlist" role="alert">{}</p>', message))
        messages.error(request, message)
        return redirect(back)
    if _htmx(request):
        return render(
            request,
            "social/includes/follow_button.html",
            {"person": person, "is_following": True, "follow_notify": enabled},
        )
    messages.success(
        request,
        (
            _("You will be notified when %(name)s posts.")
            if enabled
            else _("You will no longer be notified when %(name)s posts.")
        )
        % {"name": person.username},
    )
    return redirect(back)
