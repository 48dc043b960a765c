"""People to discover: trending creators and who to follow (social.selectors.people)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from social.selectors.people import trending_creators, who_to_follow


def discover_people(request):
    return render(
        request,
        "social/people.html",
        {
            "heading": _("Discover people"),
            "discover": True,
            "trending_creators": trending_creators(request.user),
            "who_to_follow": who_to_follow(request.user),
        },
    )
