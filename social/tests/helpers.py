"""What several social test modules share: the pinned query counts of the social pages."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Pinned round trips made by the social page itself for a logged-in viewer. Queries made by
# other apps' middleware (session, request.user, session tracking, last_active) are counted
# separately: their total must also be the same at both sizes. Changing a page's query shape
# must update these on purpose. Following and profile read whom the viewer follows from the
# cache (social.selectors.following_ids), which the viewer's own follow/unfollow drops.
PINNED = {
    "following": 5,
    # + the featured row's two bounded reads (posts, tags), shown on the first page of "All".
    "explore": 7,
    "explore_category": 5,
    "trending": 5,
    "profile": 5,
    # A repeat view today is one refused PostView insert (no counter writes).
    "post_detail": 9,
}
MIDDLEWARE_COLLECTIONS = ("db.django_session.", "db.usersessions_usersession.")


def page_queries(client, url, viewer) -> tuple[int, int]:
    """(page queries, all queries) for one GET of ``url`` by ``viewer``."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    request_user = (
        f"db.accounts_user.aggregate([{{'$match': {{'_id': ObjectId('{viewer.pk}')}}}}, {{'$limit': 21}}])"
    )
    page = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(MIDDLEWARE_COLLECTIONS)
        and q["sql"] != request_user
        and not (q["sql"].startswith("db.accounts_user.update_many") and "last_active" in q["sql"])
    ]
    return len(page), len(ctx.captured_queries)
