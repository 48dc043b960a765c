"""Media in GridFS, in the same MongoDB as everything else (the default).

Files are stored in the ``media`` bucket under their Django storage name and
served by :func:`modelsnapper.media_views.serve_media`. The storage uses the
Django connection's own client, so it follows MONGODB_URI and test isolation.
"""

from __future__ import annotations

import contextlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from datetime import datetime

import gridfs
from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import connections
from django.urls import reverse
from django.utils.deconstruct import deconstructible

BUCKET = "media"


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    length: int
    uploaded_at: datetime
    content_type: str | None


@deconstructible
class GridFSStorage(Storage):
    def __init__(self, using: str = "default", bucket: str = BUCKET):
        self.using = using
        self.bucket_name = bucket

    @property
    def _db(self):
        return connections[self.using].database

    @property
    def _bucket(self) -> gridfs.GridFSBucket:
        return gridfs.GridFSBucket(self._db, bucket_name=self.bucket_name)

    @property
    def _files(self):
        return self._db[f"{self.bucket_name}.files"]

    def _latest(self, name: str) -> dict | None:
        return self._files.find_one({"filename": name}, sort=[("uploadDate", -1)])

    def stat(self, name: str) -> StoredFile:
        """What a response needs before reading a byte: identity, size, time and type."""
        doc = self._latest(name)
        if doc is None:
            raise FileNotFoundError(name)
        return StoredFile(
            file_id=str(doc["_id"]),
            length=doc["length"],
            uploaded_at=doc["uploadDate"],
            content_type=(doc.get("metadata") or {}).get("content_type"),
        )

    def open_by_id(self, file_id: str):
        """The bytes of exactly the file ``stat`` described (a seekable GridOut)."""
        from bson import ObjectId

        try:
            return self._bucket.open_download_stream(ObjectId(file_id))
        except gridfs.errors.NoFile:
            raise FileNotFoundError(file_id) from None

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode:
            raise ValueError("GridFSStorage files are written through save().")
        try:
            stream = self._bucket.open_download_stream_by_name(name)
        except gridfs.errors.NoFile:
            raise FileNotFoundError(name) from None
        file = File(stream, name=name)
        file.content_type = (stream.metadata or {}).get("content_type")
        return file

    def _save(self, name: str, content) -> str:
        content_type = getattr(content, "content_type", None) or mimetypes.guess_type(name)[0]
        if hasattr(content, "seek"):
            content.seek(0)
        self._bucket.upload_from_stream(name, content, metadata={"content_type": content_type})
        return name

    def delete(self, name: str) -> None:
        for doc in self._files.find({"filename": name}, {"_id": 1}):
            with contextlib.suppress(gridfs.errors.NoFile):
                self._bucket.delete(doc["_id"])

    def exists(self, name: str) -> bool:
        return self._files.count_documents({"filename": name}, limit=1) > 0

    def size(self, name: str) -> int:
        doc = self._latest(name)
        if doc is None:
            raise FileNotFoundError(name)
        return doc["length"]

    def content_type(self, name: str) -> str | None:
        doc = self._latest(name)
        return ((doc or {}).get("metadata") or {}).get("content_type")

    def get_modified_time(self, name: str):
        doc = self._latest(name)
        if doc is None:
            raise FileNotFoundError(name)
        return doc["uploadDate"]

    get_created_time = get_modified_time

    def listdir(self, path: str):
        prefix = path.rstrip("/") + "/" if path else ""
        dirs, files = set(), set()
        for doc in self._files.find({"filename": {"$regex": f"^{re.escape(prefix)}"}}, {"filename": 1}):
            rest = doc["filename"][len(prefix) :]
            head, sep, _ = rest.partition("/")
            (dirs if sep else files).add(head)
        return sorted(dirs), sorted(files)

    def url(self, name: str) -> str:
        return reverse("media", kwargs={"path": posixpath.normpath(name)})
