"""Which navigation entry a page belongs to, so the bar and the tabs can mark it.

One table instead of path comparisons in templates: a page is named by its URL's
namespace and name (``social:group_detail``), which survives URL changes, and a
section's sub-pages (a group, a tag, an article) mark their section's tab.
"""

from __future__ import annotations

# Primary bar: the namespace alone decides, except where a name is listed.
PRIMARY_BY_NAMESPACE = {"marketplace": "marketplace"}
PRIMARY_BY_NAME = {
    "generate": "create",
    "social:following": "feed",
    "social:explore": "explore",
    "social:trending": "explore",
    "social:tags": "explore",
    "social:tag": "explore",
    "billing:pricing": "pricing",
}

# Social tabs: url name -> tab. Sub-pages point at the tab they live under.
SOCIAL_TABS = {
    "following": "following",
    "explore": "explore",
    "trending": "trending",
    "tags": "tags",
    "tag": "tags",
    "groups": "groups",
    "group_create": "groups",
    "group_detail": "groups",
    "group_members": "groups",
    "articles": "articles",
    "article_detail": "articles",
    "stories": "stories",
    "story_create": "stories",
    "story_detail": "stories",
    "saved": "saved",
    "saved_collection": "saved",
    "liked": "liked",
    "dashboard": "dashboard",
}


def sections_for(request) -> dict[str, str]:
    """``nav_section`` (primary bar) and ``social_tab`` for the page being rendered."""
    match = getattr(request, "resolver_match", None) if request is not None else None
    if match is None:
        return {"nav_section": "", "social_tab": ""}
    namespace, name = match.namespace, match.url_name or ""
    full = f"{namespace}:{name}" if namespace else name
    return {
        "nav_section": PRIMARY_BY_NAME.get(full) or PRIMARY_BY_NAMESPACE.get(namespace, ""),
        "social_tab": SOCIAL_TABS.get(name, "") if namespace == "social" else "",
    }
