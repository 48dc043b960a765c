"""Smaller WebP copies of a stored picture, made once when it is stored (Pillow; model-agnostic).

A page showing a picture in a 96 px slot should not download a 4 MB PNG. Every
stored picture gets WebP variants at :data:`WIDTHS` (never wider than the
original, aspect kept), saved next to it under ``<its folder>/v/``, so a private
original's variants stay private. Names are content-addressed: the hash of the
original's bytes and the width, so a URL never changes meaning and may be
cached for a year, and building twice writes nothing new.

What exists is described by a :class:`VariantSet`, which callers store on the
object itself (a JSON field) so that rendering needs no query. Apps say which
field holds what (:mod:`modelsnapper.picture_sources`); this module only turns
bytes into files.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import struct
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

WIDTHS = (256, 512, 1024)
WEBP_QUALITY = 80
VARIANT_FOLDER = "v"
DIGEST_LENGTH = 24  # hex characters of SHA-256: collisions are not a practical concern


class VariantError(ValueError):
    """The original could not be read as a picture; the sentence says why."""


@dataclass(frozen=True)
class VariantSet:
    """The variants of one picture: its intrinsic size and width → stored name."""

    width: int = 0
    height: int = 0
    names: tuple[tuple[int, str], ...] = ()

    @classmethod
    def from_data(cls, data) -> VariantSet:
        """Read what a JSON field holds ({} or None: no variants yet)."""
        if not data:
            return cls()
        files = data.get("files") or {}
        return cls(
            width=int(data.get("width") or 0),
            height=int(data.get("height") or 0),
            names=tuple(sorted((int(width), name) for width, name in files.items())),
        )

    def to_data(self) -> dict:
        if not self.names:
            return {}
        return {
            "width": self.width,
            "height": self.height,
            "files": {str(width): name for width, name in self.names},
        }

    def __bool__(self) -> bool:
        return bool(self.names)

    def files(self) -> list[tuple[int, str]]:
        """(width, stored name), narrowest first."""
        return list(self.names)

    def name_for_basename(self, basename: str) -> str | None:
        """The stored name of the variant a URL asks for, or None if it is not one of these."""
        for _, name in self.names:
            if posixpath.basename(name) == basename:
                return name
        return None


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]


def variant_name(original_name: str, digest: str, width: int) -> str:
    folder = posixpath.dirname(original_name)
    stem = f"{digest}-{width}.webp"
    return posixpath.join(folder, VARIANT_FOLDER, stem) if folder else posixpath.join(VARIANT_FOLDER, stem)


def target_widths(width: int) -> list[int]:
    """The widths to make for an original ``width`` px wide: never wider than it.

    A picture narrower than a width gets one variant at its own width instead, so even
    a small PNG is shown as a small WebP.
    """
    return sorted({min(target, width) for target in WIDTHS})


def _open(data: bytes) -> Image.Image:
    max_pixels = getattr(settings, "MAX_IMAGE_PIXELS", 40_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                raise VariantError(
                    f"The picture is {image.width} × {image.height} pixels, more than allowed."
                )
            image.load()  # the first frame of an animation: variants are still pictures
        except VariantError:
            raise
        except (
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
            IndexError,
            TypeError,
            struct.error,
            Image.DecompressionBombWarning,
            Image.DecompressionBombError,
        ):
            raise VariantError("The stored file is not a picture that can be read.") from None
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    return upright.convert("RGBA" if has_alpha else "RGB")


def _encode(image: Image.Image, width: int) -> bytes:
    if image.width != width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def build_variants(data: bytes, *, original_name: str, storage) -> VariantSet:
    """Make (or find) the WebP variants of the picture ``data`` stored as ``original_name``.

    Idempotent: a variant that already exists under its content-addressed name is not
    written again. Raises :class:`VariantError` when ``data`` is not a readable picture.
    """
    if not data:
        raise VariantError("The stored file is empty.")
    image = _open(data)
    digest = digest_of(data)
    names = []
    for width in target_widths(image.width):
        name = variant_name(original_name, digest, width)
        if not storage.exists(name):
            content = ContentFile(_encode(image, width), name=posixpath.basename(name))
            content.content_type = "image/webp"
            name = storage.save(name, content)
        names.append((width, name))
    return VariantSet(width=image.width, height=image.height, names=tuple(sorted(names)))


def build_variants_for_file(field_file) -> VariantSet:
    """:func:`build_variants` for a Django ``FieldFile`` (reads the stored original)."""
    with field_file.storage.open(field_file.name, "rb") as stored:
        data = stored.read()
    return build_variants(data, original_name=field_file.name, storage=field_file.storage)


def delete_variants(data, *, storage) -> None:
    """Remove the files of a stored :class:`VariantSet` (when its original leaves storage)."""
    for _, name in VariantSet.from_data(data).files():
        storage.delete(name)


_VARIANT_BASENAME = re.compile(rf"^[0-9a-f]{{{DIGEST_LENGTH}}}-\d+\.webp$")


def is_variant_name(name: str) -> bool:
    """True for a stored name this module made (content-addressed, so cacheable for good)."""
    folder, basename = posixpath.split(name)
    return posixpath.basename(folder) == VARIANT_FOLDER and bool(_VARIANT_BASENAME.match(basename))
