"""Posts near a place: ``/social/near/?near=<lat>,<lon>&km=25`` (social.geo)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from social import geo
from social.selectors.paging import Page
from social.views.common import _cursor, _feed_response


def posts_near(request):
    """Newest first, the posts the visitor may see within a radius of a point; a point or
    radius that cannot be read is a 400 page saying why."""
    text = request.GET.get("near", "")
    try:
        near = geo.parse_near(text, request.GET.get("km"))
    except geo.BadPlace as exc:
        response = _feed_response(
            request, Page([]), title=_("Posts nearby"), heading=_("Posts nearby"), empty=str(exc)
        )
        response.status_code = 400
        return response
    page = geo.posts_near(request.user, near, _cursor(request))
    # The place's name, as the post linking here gave it: only a label for the heading.
    place = " ".join(request.GET.get("place", "").split())[:120]
    where = {"near": f"{near.latitude:g},{near.longitude:g}", **({"place": place} if place else {})}
    base = reverse("social:posts_near")
    tabs = [
        (_("Within %(km)s km") % {"km": km}, f"{base}?{urlencode({**where, 'km': km})}", near.km == km)
        for km in geo.RADIUS_CHOICES_KM
    ]
    label = place or f"{near.latitude:g}, {near.longitude:g}"
    heading = _("Posts within %(km)s km of %(place)s") % {"km": near.km, "place": label}
    return _feed_response(
        request,
        page,
        title=_("Posts nearby"),
        heading=heading,
        tabs=tabs,
        empty=_("No posts you can see were made within %(km)s km of here yet.") % {"km": near.km},
        extra={"page_query": urlencode({**where, "km": near.km})},
    )
