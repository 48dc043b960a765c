"""What every social page shares: HTMX fragments, the page cursor, feed rendering, the way back."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from modelsnapper.ratelimit import client_ip
from social import services
from social.models import Post


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _cursor(request) -> str | None:
    return request.GET.get("cursor") or None


NOTHING_YET = _("Nothing here yet.")


def _feed_response(request, page, *, title: str, heading: str, tabs=None, extra=None, empty=NOTHING_YET):
    context = {
        "page": page,
        "title": title,
        "heading": heading,
        "tabs": tabs or [],
        "empty": empty,
        **(extra or {}),
    }
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/post_items.html", context)
    return render(request, "social/feed.html", context)


def _category(request) -> str | None:
    value = request.GET.get("category") or None
    return value if value in Post.Category.values else None


def _category_tabs(url: str, category: str | None) -> list[tuple[str, str, bool]]:
    """The feed's category filter as tabs (label, address, current): "All", then each category."""
    return [(_("All"), url, category is None)] + [
        (label, f"{url}?category={value}", category == value) for value, label in Post.Category.choices
    ]


def _back(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else fallback


def _record_view(request, post: Post) -> None:
    """Count a view of ``post`` by whoever asks (its page, its picture opened in the lightbox)."""
    services.post_record_view(
        post=post,
        viewer=request.user,
        client_key=services.visitor_fingerprint(
            ip=client_ip(request), user_agent=request.headers.get("user-agent", "")
        ),
    )
