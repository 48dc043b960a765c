"""Sending a stored file to a browser, after the caller's ownership check. One way, for every view.

On S3 the browser is redirected to a short-lived signed URL, so the bytes never
pass through a web worker. From GridFS the file is streamed with what browsers
and caches need: an ``ETag`` and ``Last-Modified`` answered with 304, ``Range``
requests answered with 206 (video seeking; Safari will not play a video
without it), and ``Cache-Control`` public or private as the caller says.
"""

from __future__ import annotations

import re

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import http_date, parse_http_date_safe

from modelsnapper.storage import GridFSStorage
from modelsnapper.variants import VariantSet

PRIVATE_PREFIX = "private/"
PUBLIC_MAX_AGE = 3600
PRIVATE_MAX_AGE = 300
IMMUTABLE_MAX_AGE = 31536000  # a year: the longest caches honour
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def media_owner_id(name: str) -> str | None:
    """Stored files under ``private/<user id>/`` belong to that user (served to them only); the rest are public."""
    if not name.startswith(PRIVATE_PREFIX):
        return None
    return name[len(PRIVATE_PREFIX) :].split("/", 1)[0]


def link_for(field, *, public: bool, view_url: str, name: str = "", storage=None) -> str:
    """Where a page points an <img>/<video> for a stored file.

    Public media on S3 links straight at the bucket (a signed URL, or the CDN's
    when the storage has a custom domain), so no byte passes through a web worker;
    everything else links to ``view_url``, the view that checks who is asking.
    ``name``/``storage`` name a stored file that is not a model field (an image variant).
    """
    storage = storage if storage is not None else getattr(field, "storage", None)
    name = name or (field.name if field else "")
    if public and name and storage is not None and not isinstance(storage, GridFSStorage):
        return storage.url(name)
    return view_url


def _cache_control(public: bool, immutable: bool = False) -> str:
    if public and immutable:
        # Content-addressed (a variant's name holds its original's hash): it never changes.
        return f"public, max-age={IMMUTABLE_MAX_AGE}, immutable"
    return f"public, max-age={PUBLIC_MAX_AGE}" if public else f"private, max-age={PRIVATE_MAX_AGE}"


def _not_modified(request, etag: str, modified: int) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and modified <= since


def _byte_range(header: str | None, length: int) -> tuple[int, int] | None | bool:
    """(first, last) inclusive; None to send everything; False when the range cannot be met."""
    match = _RANGE.match((header or "").strip())
    if not match or not any(match.groups()):
        return None  # absent, multi-range or malformed: the whole file is a valid answer
    first, last = match.groups()
    if not first:  # the final N bytes
        suffix = int(last)
        return (max(length - suffix, 0), length - 1) if suffix and length else False
    first = int(first)
    last = min(int(last), length - 1) if last else length - 1
    return (first, last) if first <= last and first < length else False


class _Slice:
    """Reads at most ``remaining`` bytes of a stream, from where it was positioned."""

    def __init__(self, stream, remaining: int):
        self.stream, self.remaining = stream, remaining

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        chunk = self.stream.read(size)
        self.remaining -= len(chunk)
        return chunk

    def close(self) -> None:
        self.stream.close()


def serve_file(
    request,
    *,
    storage,
    name: str,
    public: bool,
    content_type: str | None = None,
    filename: str | None = None,
    download: bool = False,
    immutable: bool = False,
) -> HttpResponse:
    """The response for one stored file; the caller has already decided the viewer may see it.

    ``immutable``: the name is content-addressed (an image variant), so public copies may be
    cached for a year without asking again.
    """
    if not name:
        raise Http404("No such file.")
    disposition = "attachment" if download else "inline"
    if not isinstance(storage, GridFSStorage):
        parameters = {}
        if download and filename:
            parameters["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        response = HttpResponseRedirect(storage.url(name, parameters=parameters or None))
        # The signed URL outlives this redirect; a browser may reuse it for a little while.
        response["Cache-Control"] = "private, max-age=60"
        return response
    try:
        stored = storage.stat(name)
    except (FileNotFoundError, ValueError):
        raise Http404("No such file.") from None
    etag = f'"{stored.file_id}-{stored.length}"'  # a GridFS file never changes: a new save is a new id
    modified = int(stored.uploaded_at.timestamp())
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(modified),
        "Cache-Control": _cache_control(public, immutable),
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
    }
    if _not_modified(request, etag, modified):
        response = HttpResponse(status=304)
        for key, value in headers.items():
            response[key] = value
        return response
    wanted = _byte_range(request.headers.get("Range"), stored.length)
    if request.headers.get("If-Range") not in (None, etag):
        wanted = None  # the client's copy is stale: send it all
    if wanted is False:
        response = HttpResponse("That byte range is outside the file.", status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{stored.length}"
        return response
    try:
        stream = storage.open_by_id(stored.file_id)
    except FileNotFoundError:
        raise Http404("No such file.") from None
    content_type = content_type or stored.content_type or "application/octet-stream"
    if wanted is None:
        response = FileResponse(
            stream, content_type=content_type, as_attachment=download, filename=filename or ""
        )
        response["Content-Length"] = str(stored.length)
    else:
        first, last = wanted
        stream.seek(first)
        response = FileResponse(_Slice(stream, last - first + 1), status=206, content_type=content_type)
        response["Content-Length"] = str(last - first + 1)
        response["Content-Range"] = f"bytes {first}-{last}/{stored.length}"
        if filename:
            response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    for key, value in headers.items():
        response[key] = value
    return response


def serve_variant(request, *, variants: VariantSet, basename: str, storage, public: bool) -> HttpResponse:
    """One WebP variant of a picture the caller has already let the viewer see.

    Only names in ``variants`` are served (a URL cannot reach another file), and since they
    are content-addressed a public one is cached for a year.
    """
    name = variants.name_for_basename(basename)
    if name is None:
        raise Http404("No such picture size.")
    return serve_file(
        request, storage=storage, name=name, public=public, content_type="image/webp", immutable=True
    )
