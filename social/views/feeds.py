"""Feed pages: following, explore, trending, tags, my likes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from social import selectors
from social.selectors.boosted import boosted_posts
from social.views.common import _category, _category_tabs, _cursor, _feed_response


@login_required
def following(request):
    category = _category(request)
    page = selectors.following_feed(request.user, _cursor(request), category=category)
    return _feed_response(
        request,
        page,
        title=_("Following"),
        heading=_("Following"),
        tabs=_category_tabs(reverse("social:following"), category),
        empty=_("Posts from people you follow appear here. Find people on Explore."),
        extra={
            "category": category,
            "stories": selectors.active_stories(request.user, followed=page.extra["following_ids"]),
        },
    )


def explore(request):
    category = _category(request)
    cursor = _cursor(request)
    blocked = selectors.blocked_user_ids(request.user)
    sort = "quality" if request.GET.get("sort") == "quality" else "newest"
    page = selectors.explore_feed(request.user, category=category, cursor=cursor, blocked=blocked, sort=sort)
    # Staff picks head the first page of "All", newest first (hidden when there are none).
    featured = (
        None
        if category or cursor or sort != "newest"
        else selectors.explore_featured(request.user, blocked=blocked)
    )
    # Paid boosts head the first page of every tab (hidden when there are none).
    boosted = None if cursor else boosted_posts(request.user, blocked=blocked)
    tabs = _category_tabs(reverse("social:explore"), category)
    sorting = _explore_sorting(category, sort)
    if sort != "newest":  # the category tabs keep the chosen order
        tabs = [
            (label, f"{url}{'&' if '?' in url else '?'}sort={sort}", current) for label, url, current in tabs
        ]
    return _feed_response(
        request,
        page,
        title=_("Explore"),
        heading=_("Explore"),
        tabs=tabs,
        extra={
            "category": category,
            "featured": featured,
            "boosted": boosted,
            "sorting": sorting,
            "page_query": "" if sort == "newest" else f"sort={sort}",
        },
    )


def _explore_sorting(category: str | None, sort: str) -> list[tuple[str, str, bool]]:
    """Explore's order links (label, address, current), keeping the category."""
    base = reverse("social:explore") + (f"?category={category}&" if category else "?")
    return [
        (_("Newest"), base.rstrip("?&"), sort == "newest"),
        (_("Highest quality"), f"{base}sort=quality", sort == "quality"),
    ]


def trending(request):
    period = request.GET.get("period") if request.GET.get("period") in selectors.TRENDING_PERIODS else "week"
    page = selectors.trending_feed(request.user, period=period, cursor=_cursor(request))
    tabs = [
        (label, f"{reverse('social:trending')}?period={value}", period == value)
        for value, label in (("day", _("Today")), ("week", _("This week")), ("month", _("This month")))
    ]
    return _feed_response(
        request, page, title=_("Trending"), heading=_("Trending"), tabs=tabs, extra={"period": period}
    )


def tag_detail(request, name: str):
    name = name.lower()
    from social.models import Tag

    tag = Tag.objects.filter(name=name).first()
    page = selectors.tag_feed(request.user, name, _cursor(request))
    return _feed_response(request, page, title=f"#{name}", heading=f"#{name}", extra={"tag": tag})


def tags(request):
    return render(request, "social/tags.html", {"tags": selectors.trending_tags()})


@login_required
def liked(request):
    page = selectors.liked_posts(request.user, _cursor(request))
    return _feed_response(request, page, title=_("Liked posts"), heading=_("Posts you liked"))
