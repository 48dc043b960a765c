"""Media on S3: django-storages' S3Storage, plus year-long caching for image variants.

A variant's name holds the hash of its original's bytes (modelsnapper.variants), so what a
browser or CDN fetched once never changes: the object carries ``immutable`` caching. Names
under ``private/`` (generations, posts, stories, training photos, likeness references) stay
``private`` so no shared cache keeps a picture its owner may later hide; the others (avatars,
covers, AI avatars) are public. Originals keep the bucket's default headers.

A signed URL is reused within a process for half its lifetime: signing (SigV4) was about a
quarter of a feed page's CPU under the soak (one signature per picture, 20 pictures a page),
and the same URL on every page lets browsers cache the picture instead of fetching it again
under each new signature. Who may see a picture is decided before its URL is asked for; the
URL names the object only, not the viewer, so reusing it shows nobody anything new.
"""

from __future__ import annotations

import threading
import time

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

    # Signed URLs kept per process; beyond this many names the oldest half is dropped.
    SIGNED_URLS_KEPT = 4096

    def __init__(self, **settings):
        super().__init__(**settings)
        self._signed: dict[tuple[str, int], tuple[str, float]] = {}
        self._signed_lock = threading.Lock()

    def url(self, name, parameters=None, expire=None, http_method=None):
        if parameters or http_method or not self.querystring_auth or self.custom_domain:
            return super().url(name, parameters=parameters, expire=expire, http_method=http_method)
        expire = self.querystring_expire if expire is None else expire
        key = (name, expire)
        now = time.monotonic()
        with self._signed_lock:
            kept = self._signed.get(key)
        if kept is not None and now < kept[1]:
            return kept[0]
        url = super().url(name, expire=expire)
        with self._signed_lock:
            if len(self._signed) >= self.SIGNED_URLS_KEPT:
                for old in list(self._signed)[: self.SIGNED_URLS_KEPT // 2]:
                    del self._signed[old]
            # Handed out until half its lifetime is gone: every URL a page gets still has at least
            # half of AWS_QUERYSTRING_EXPIRE to load in.
            self._signed[key] = (url, now + expire / 2)
        return url
