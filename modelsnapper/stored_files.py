"""What a media storage holds, listed batch-wise with each file's age (for the orphan sweep).

Django's Storage API has ``listdir`` but no ages and no paging; the sweep needs both, so that
a file uploaded a moment ago (its document not saved yet) is never taken for an orphan and a
bucket of millions of objects is read a page at a time. GridFS is read from its ``files``
collection, S3 from its object listing (pages of 1,000), a local folder by walking it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from modelsnapper.storage import GridFSStorage


def stored_names_before(storage, cutoff: datetime, *, batch: int = 500) -> Iterator[list[str]]:
    """Batches of the names of files stored before ``cutoff`` (each name once)."""
    if isinstance(storage, GridFSStorage):
        yield from _gridfs(storage, cutoff, batch)
    elif hasattr(storage, "bucket"):  # django-storages S3Storage
        yield from _s3(storage, cutoff, batch)
    elif hasattr(storage, "location"):  # FileSystemStorage
        yield from _filesystem(storage, cutoff, batch)
    else:
        raise TypeError(f"cannot list the files of {type(storage).__name__}")


def _gridfs(storage: GridFSStorage, cutoff: datetime, batch: int) -> Iterator[list[str]]:
    files = storage._files
    last = None
    while True:
        query = {"uploadDate": {"$lt": cutoff}}
        if last is not None:
            query["_id"] = {"$gt": last}
        rows = list(files.find(query, {"filename": 1}).sort("_id", 1).limit(batch))
        if not rows:
            return
        last = rows[-1]["_id"]
        yield list(dict.fromkeys(row["filename"] for row in rows))


def _s3(storage, cutoff: datetime, batch: int) -> Iterator[list[str]]:
    prefix = storage.location.strip("/")
    prefix = f"{prefix}/" if prefix else ""
    names: list[str] = []
    for obj in storage.bucket.objects.filter(Prefix=prefix).page_size(1000):
        if obj.last_modified < cutoff:
            names.append(obj.key[len(prefix) :])
        if len(names) >= batch:
            yield names
            names = []
    if names:
        yield names


def _filesystem(storage, cutoff: datetime, batch: int) -> Iterator[list[str]]:
    root = storage.location
    names: list[str] = []
    for folder, _, files in os.walk(root):
        for filename in sorted(files):
            path = os.path.join(folder, filename)
            if datetime.fromtimestamp(os.path.getmtime(path), tz=UTC) < cutoff:
                names.append(os.path.relpath(path, root).replace(os.sep, "/"))
            if len(names) >= batch:
                yield names
                names = []
    if names:
        yield names
