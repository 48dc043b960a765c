"""A zip of my originals, streamed as it is written: no temporary file, memory of one chunk.

``zipfile`` writes to an unseekable stream by putting each entry's sizes in a data
descriptor after its bytes, so the archive can leave the server while it is made.
Entries are stored, not deflated: PNG, JPEG and WebP are compressed already.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator

from generation.models import Image

CHUNK = 256 * 1024


class _Pipe:
    """The write end ``zipfile`` sees; the streaming response reads what piled up."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.written = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        chunks, self.chunks = self.chunks, []
        yield from chunks


def entry_name(image: Image, index: int) -> str:
    """A readable, unique file name inside the zip."""
    return f"{index:03d}-{image.get_image_type_display().lower()}-{image.pk}.{image.file_format.lower()}"


def zip_stream(images: Iterable[Image]) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for index, image in enumerate(images, start=1):
            with image.file.open("rb") as source, archive.open(entry_name(image, index), mode="w") as entry:
                while chunk := source.read(CHUNK):
                    entry.write(chunk)
                    yield from pipe.drain()
            yield from pipe.drain()
    yield from pipe.drain()
