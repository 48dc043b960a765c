"""Places on posts: optional coordinates, and "posts near a point" (issue 14, item 9).

A post's place is its ``location_name`` and, optionally, coordinates. The coordinates are
stored twice, always written together by ``location_fields``:

- ``location``: a GeoJSON point ``{"type": "Point", "coordinates": [lon, lat]}`` under the
  ``2dsphere`` index ``post_location_geo``, which migration 0009 creates with pymongo and skips
  on a server that refuses it;
- ``latitude`` / ``longitude``: plain numbers under the ordinary index ``post_lat_lon``.

``posts_near`` reads newest first, keyset-paged, the posts within ``km`` of a point. One switch
(``geo_index_available``) picks how the database narrows the candidates:

- where the 2dsphere index exists (a real mongod; SecantusDB, the dev/test server, has it too,
  and ``test_location.py`` proves its use with ``explain``): ``$geoWithin`` / ``$centerSphere``;
- elsewhere (``SOCIAL_GEO_INDEX=false``, or a server without the index): the circle's bounding
  box on ``latitude`` / ``longitude``.

Both paths then keep the rows whose great-circle distance is at most ``km`` and fill a page
the same way, so they give the same posts in the same pages (the tests run both).

Privacy is not re-derived here: rows go through the list form of ``can_view_post``
(``privacy.visible_posts``), as search and the saved posts do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.db import NotSupportedError, connection
from django.db.models import Lookup
from django.utils.translation import gettext as _
from django_mongodb_backend.query_utils import process_lhs

from social.models import Post
from social.selectors.paging import Page, attach_authors, keyset
from social.selectors.posts import decorate_posts
from social.selectors.privacy import visible_posts

EARTH_RADIUS_KM = 6371.0088  # the mean radius; $centerSphere takes the angle, km / this
GEO_INDEX = "post_location_geo"
LATITUDE_RANGE = (-90.0, 90.0)
LONGITUDE_RANGE = (-180.0, 180.0)
RADIUS_CHOICES_KM = (5, 25, 100)
DEFAULT_RADIUS_KM = 25
MAX_RADIUS_KM = 200  # bounds the box the fallback reads


class BadPlace(ValueError):
    """A point or radius a person typed that we cannot use; the message says why."""


# --- The rule for a post's coordinates ---------------------------------------------------------


def coordinates_problem(
    latitude: float | None, longitude: float | None, name: str = ""
) -> tuple[str, str] | None:
    """Why these coordinates cannot be stored, as (field, message); None when they can.

    The one rule: the forms show its message on the field, the post services refuse with it.
    """
    if latitude is None and longitude is None:
        return None
    if latitude is None:
        return "latitude", _("Give the latitude too, or leave both empty.")
    if longitude is None:
        return "longitude", _("Give the longitude too, or leave both empty.")
    if not (math.isfinite(latitude) and LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]):
        return "latitude", _("Latitude must be between -90 and 90 degrees.")
    if not (math.isfinite(longitude) and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]):
        return "longitude", _("Longitude must be between -180 and 180 degrees.")
    if not (name or "").strip():
        return "location_name", _("Name the place too, so people know where it is.")
    return None


def location_fields(latitude: float | None, longitude: float | None) -> dict:
    """The three stored fields for a place's coordinates (all None without coordinates)."""
    if latitude is None or longitude is None:
        return {"location": None, "latitude": None, "longitude": None}
    return {
        "location": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
        "latitude": float(latitude),
        "longitude": float(longitude),
    }


# --- Distances ---------------------------------------------------------------------------------


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) on the sphere $centerSphere uses."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within ``km``.

    Near a pole, or where the circle crosses the antimeridian, the box takes every longitude:
    still bounded by its band of latitude, and the distance check cuts it to the circle.
    """
    angle = km / EARTH_RADIUS_KM
    min_lat, max_lat = lat - math.degrees(angle), lat + math.degrees(angle)
    if min_lat <= -90 or max_lat >= 90 or math.sin(angle) >= math.cos(math.radians(lat)):
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    spread = math.degrees(math.asin(math.sin(angle) / math.cos(math.radians(lat))))
    if lon - spread < -180 or lon + spread > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lon - spread, lon + spread


# --- The capability switch ---------------------------------------------------------------------

_index_present: dict[str, bool] = {}


def geo_index_available() -> bool:
    """Whether ``posts_near`` asks the 2dsphere index (else the bounding box).

    ``SOCIAL_GEO_INDEX`` (default on) turns it off; otherwise it follows whether migration 0009
    could create the index on this server (looked up once per database and process).
    """
    if not settings.SOCIAL_GEO_INDEX:
        return False
    name = connection.settings_dict["NAME"]
    if name not in _index_present:
        indexes = connection.get_collection(Post._meta.db_table).index_information()
        _index_present[name] = GEO_INDEX in indexes
    return _index_present[name]


class WithinKm(Lookup):
    """``location__within_km=(lat, lon, km)`` → ``{location: {$geoWithin: {$centerSphere: …}}}``.

    ``$geoWithin`` (not ``$near``) because the page is ordered newest first, not by distance:
    it keeps the keyset cursor on ``_id`` and is answered by the 2dsphere index.
    """

    lookup_name = "within_km"
    prepare_rhs = False

    def as_mql_path(self, compiler, connection):
        lat, lon, km = self.rhs
        sphere = {"$centerSphere": [[lon, lat], km / EARTH_RADIUS_KM]}
        return {process_lhs(self, compiler, connection): {"$geoWithin": sphere}}

    def as_mql_expr(self, compiler, connection):
        raise NotSupportedError("within_km is a query filter, not an expression.")


Post._meta.get_field("location").register_lookup(WithinKm)


# --- Posts near a point ------------------------------------------------------------------------


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    km: int

    def candidates(self, queryset):
        """The database's narrowing: the circle on the 2dsphere index, else its bounding box."""
        if geo_index_available():
            return queryset.filter(location__within_km=(self.latitude, self.longitude, self.km))
        min_lat, max_lat, min_lon, max_lon = bounding_box(self.latitude, self.longitude, self.km)
        return queryset.filter(
            latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon
        )

    def holds(self, post: Post) -> bool:
        if post.latitude is None or post.longitude is None:
            return False
        return distance_km(self.latitude, self.longitude, post.latitude, post.longitude) <= self.km

    def read(self, queryset, cursor, limit: int) -> list:
        """A keyset reader (``modelsnapper.paging``): the first ``limit`` posts inside the circle,
        newest first, older than ``cursor``. The bounding box's corners may hold posts outside
        the circle, so it reads on until the page is full or the candidates run out."""
        found: list = []
        while True:
            batch = queryset if cursor is None else queryset.filter(pk__lt=cursor)
            rows = list(batch.order_by("-pk")[:limit])
            found += [row for row in rows if self.holds(row)]
            if len(found) >= limit or len(rows) < limit:
                return found[:limit]
            cursor = rows[-1].pk


def parse_near(text: str, km: str | None) -> Near:
    """``"48.8566,2.3522"`` and a radius from the address; ``BadPlace`` says what is wrong."""
    parts = (text or "").split(",")
    try:
        latitude, longitude = (float(p) for p in parts)
    except ValueError:
        raise BadPlace(_("Give a place as latitude,longitude, for example 48.8566,2.3522.")) from None
    problem = coordinates_problem(latitude, longitude, name="-")
    if problem:
        raise BadPlace(problem[1])
    try:
        radius = int(km) if km not in (None, "") else DEFAULT_RADIUS_KM
    except ValueError:
        radius = 0
    if not 1 <= radius <= MAX_RADIUS_KM:
        raise BadPlace(_("Choose a distance between 1 and %(max)s km.") % {"max": MAX_RADIUS_KM})
    return Near(latitude, longitude, radius)


def _visible(viewer, rows: list[Post]) -> list[Post]:
    return visible_posts(viewer, attach_authors(rows))


def posts_near(viewer, near: Near, cursor: str | None = None, *, size: int | None = None) -> Page:
    """A newest-first page of the posts ``viewer`` may see within ``near.km`` of the point."""
    queryset = near.candidates(Post.objects.filter(live=True))
    kwargs = {"size": size} if size else {}
    rows, next_cursor = keyset(queryset, cursor, read=near.read, **kwargs)
    return Page(decorate_posts(viewer, _visible(viewer, rows)), next_cursor, {"near": near})
