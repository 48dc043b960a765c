"""The search page: one box, a tab per kind, "load more" pages (social.search does the work)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from social import search as search_module
from social.views.common import _cursor


def search(request):
    query = (request.GET.get("q") or "").strip()[: search_module.QUERY_MAX_LENGTH]
    kind = (
        request.GET.get("kind")
        if request.GET.get("kind") in search_module.KINDS
        else search_module.DEFAULT_KIND
    )
    result = search_module.search(request.user, query=query, kind=kind, cursor=_cursor(request))
    base = reverse("social:search")
    tabs = [
        (label, f"{base}?{urlencode({'q': query, 'kind': value})}", value == kind)
        for value, label in search_module.KINDS.items()
    ]
    more = ""
    if result.page.next_cursor:
        more = f"{base}?{urlencode({'q': query, 'kind': kind, 'cursor': result.page.next_cursor})}"
    return render(
        request,
        "social/search.html",
        {
            "query": query,
            "kind": kind,
            "tabs": tabs if query else [],
            "page": result.page,
            "more_url": more,
            "too_short": bool(query) and not search_module.query_terms(query),
        },
    )
