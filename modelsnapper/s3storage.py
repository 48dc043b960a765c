"""Media on S3: django-storages' S3Storage, plus year-long caching for image variants.

A variant's name holds the hash of its original's bytes (modelsnapper.variants), so what a
browser or CDN fetched once never changes: the object carries ``immutable`` caching. Names
under ``private/`` (generations, posts, stories, training photos, likeness references) stay
``private`` so no shared cache keeps a picture its owner may later hide; the others (avatars,
covers, AI avatars) are public. Originals keep the bucket's default headers.
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage

from modelsnapper.media import IMMUTABLE_MAX_AGE, media_owner_id
from modelsnapper.variants import is_variant_name


class MediaS3Storage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        parameters = super().get_object_parameters(name)
        if is_variant_name(name):
            scope = "public" if media_owner_id(name) is None else "private"
            parameters.setdefault("CacheControl", f"{scope}, max-age={IMMUTABLE_MAX_AGE}, immutable")
            parameters.setdefault("ContentType", "image/webp")
        return parameters
