"""My dashboard (``social:dashboard``): credits, AI usage, my posts' reach, recent posts and activity.

Each figure is one bounded read, so the page costs the same number of queries whether I made
ten posts and generations or ten thousand: credits come from billing's selector, AI usage from
``generation.analytics`` (counted from generation jobs and images, never from posts), my posts'
totals from one aggregation over my live posts on the ``(author, live, ...)`` index.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bson import ObjectId
from django.db.models import Count, Sum
from django.utils import timezone

from billing.selectors import credit_summary
from generation import analytics
from modelsnapper.paging import newest_before
from social.models import Follow, Notification, Post

RECENT = 5
ENGAGEMENTS = ("likes", "comments", "saves", "shares")
SUMMED = (*ENGAGEMENTS, "views")


def engagement_rate(totals: dict[str, int]) -> float | None:
    """Likes, comments, saves and shares per 100 views, in percent (None before the first view)."""
    if not totals["views"]:
        return None
    return round(100 * sum(totals[name] for name in ENGAGEMENTS) / totals["views"], 1)


def post_totals(user: Any) -> dict:
    """My live posts' likes, comments, saves, shares and views: per category and in all."""
    rows = (
        Post.objects.filter(author_id=user.pk, live=True)
        .values("category")
        .annotate(posts=Count("id"), **{name: Sum(f"{name}_count") for name in SUMMED})
    )
    by_value = {row["category"]: row for row in rows}
    categories = []
    for value, label in Post.Category.choices:
        row = by_value.get(value, {})
        categories.append({"category": label, **{name: row.get(name) or 0 for name in ("posts", *SUMMED)}})
    totals = {name: sum(row[name] for row in categories) for name in ("posts", *SUMMED)}
    return {"by_category": categories, "totals": totals, "engagement_rate": engagement_rate(totals)}


def dashboard(user: Any) -> dict:
    """Everything ``templates/social/dashboard.html`` shows about ``user``."""
    period = analytics.default_range()
    models = analytics.usage_by_model(user_id=user.pk, period=period)
    since = timezone.now() - timedelta(days=30)
    return {
        "credits": credit_summary(user_id=user.pk),
        "ai": {
            "period": period,
            "generations": sum(row["count"] for row in models),
            "models": models,
            "credits_used": analytics.credits_used(user_id=user.pk, period=period),
            "images": analytics.lifetime_images(user_id=user.pk),
        },
        **post_totals(user),
        "new_followers_30d": Follow.objects.filter(
            following_id=user.pk, id__gte=ObjectId.from_datetime(since)
        ).count(),
        "recent_posts": newest_before(Post.objects.filter(author_id=user.pk, live=True), None, RECENT),
        "recent_activity": newest_before(Notification.objects.filter(recipient_id=user.pk), None, RECENT),
    }
