"""Image uploads: the one gate every uploaded picture passes through.

``validate_image_upload`` turns an untrusted upload into a clean file that is
safe to store: JPEG, PNG, GIF or WEBP by content (never by extension), within
the byte and pixel caps, fully decodable, upright, and stripped of EXIF and
other metadata by re-encoding. Forms use :class:`ImageUploadField`; services
that receive bytes from elsewhere (provider outputs, API clients) call the
function directly.

The checks run cheapest first so that hostile files cost almost nothing:
the byte cap before reading, the header's declared size before decoding a
single pixel (a 100,000 × 100,000 PNG bomb is a few hundred bytes).
"""

from __future__ import annotations

import io
import struct
import uuid
import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy
from PIL import (  # noqa: F401  (importing the plugins registers them in Image.OPEN)
    GifImagePlugin,
    Image,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)

ALLOWED_TYPES_SENTENCE = gettext_lazy("Upload a JPG, PNG, GIF or WEBP image.")
INVALID_IMAGE_SENTENCE = gettext_lazy("This file is not a valid image.")


@dataclass(frozen=True)
class ImageFormat:
    pillow: str
    extension: str
    content_type: str


FORMATS: dict[str, ImageFormat] = {
    fmt.pillow: fmt
    for fmt in (
        ImageFormat("JPEG", "jpg", "image/jpeg"),
        ImageFormat("PNG", "png", "image/png"),
        ImageFormat("GIF", "gif", "image/gif"),
        ImageFormat("WEBP", "webp", "image/webp"),
    )
}
ACCEPT = ",".join(fmt.content_type for fmt in FORMATS.values())

JPEG_QUALITY = 90
WEBP_QUALITY = 90

# Metadata that is part of how the picture looks, not who/where took it.
# Everything else in ``Image.info`` (EXIF, XMP, comments, text chunks) is dropped.
KEPT_INFO = ("transparency", "icc_profile")

_MB = 1024 * 1024
_KB = 1024


def _trim(number: float) -> str:
    """One decimal at most, in the active language's digits ("63.2", "63,2"; "1,234.5", "1 234,5")."""
    rounded = round(number, 1)
    places = 0 if rounded == int(rounded) else 1
    return number_format(rounded, places, use_l10n=True, force_grouping=True)


def format_count(number: int) -> str:
    """A whole number grouped the way the active language writes it ("1,500", "1 500")."""
    return number_format(number, use_l10n=True, force_grouping=True)


def format_bytes(size: int) -> str:
    """``66270413`` → ``"63.2 MB"``; ``52428800`` → ``"50 MB"`` (digits in the active language)."""
    if size >= _MB:
        return f"{_trim(size / _MB)} MB"
    if size >= _KB:
        return f"{_trim(size / _KB)} KB"
    return _bytes(size)


def _bytes(size: int) -> str:
    return gettext("%(count)s bytes") % {"count": format_count(size)}


def describe_excess(size: int, limit: int) -> tuple[str, str]:
    """``(size, limit)`` in words for "X is <size>; the limit is <limit>".

    Rounding can make a file just over the limit read exactly like the limit
    ("50 MB; the limit is 50 MB"); then both are given in exact bytes.
    """
    size_text, limit_text = format_bytes(size), format_bytes(limit)
    if size_text == limit_text:
        return _bytes(size), f"{_bytes(limit)} ({limit_text})"
    return size_text, limit_text


def format_pixel_limit(pixels: int) -> str:
    """``40_000_000`` → ``"40 megapixels"``; small caps read as plain pixel counts."""
    if pixels >= 1_000_000:
        return gettext("%(count)s megapixels") % {"count": _trim(pixels / 1_000_000)}
    return gettext("%(count)s pixels") % {"count": format_count(pixels)}


def _upload_size(uploaded) -> int | None:
    size = getattr(uploaded, "size", None)
    if isinstance(size, int):
        return size
    try:
        position = uploaded.tell()
        uploaded.seek(0, io.SEEK_END)
        size = uploaded.tell()
        uploaded.seek(position)
        return size
    except (AttributeError, OSError, ValueError):
        return None


def _read_at_most(uploaded, limit: int) -> bytes:
    """Read up to ``limit + 1`` bytes, so a file that lied about its size still trips the cap."""
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    if hasattr(uploaded, "chunks"):
        buffer = bytearray()
        for chunk in uploaded.chunks():
            buffer += chunk
            if len(buffer) > limit:
                break
        return bytes(buffer[: limit + 1])
    return uploaded.read(limit + 1)


def _too_big(size: int, max_bytes: int) -> ValidationError:
    size_text, limit_text = describe_excess(size, max_bytes)
    return ValidationError(
        gettext("This image is %(size)s; the limit is %(limit)s.") % {"size": size_text, "limit": limit_text},
        code="file_too_large",
    )


def _identify(data: bytes) -> tuple[Image.Image, ImageFormat]:
    """Parse the header with the plugin of an allowed format; no pixel is decoded.

    ``Image.open`` would refuse a huge header with its own DecompressionBombError
    before telling us the size, and would try every other plugin Pillow has on
    hostile bytes; asking only our four plugins avoids both.
    """
    prefix = data[:16]
    for fmt in FORMATS.values():
        factory, accept = Image.OPEN[fmt.pillow]
        if accept is not None and not accept(prefix):
            continue
        try:
            return factory(io.BytesIO(data), None), fmt
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error):
            # The magic number matched but the header is broken.
            raise ValidationError(INVALID_IMAGE_SENTENCE, code="invalid_image") from None
    raise ValidationError(ALLOWED_TYPES_SENTENCE, code="invalid_type")


def _check_pixels(image: Image.Image, max_pixels: int) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ValidationError(INVALID_IMAGE_SENTENCE, code="invalid_image")
    if width * height > max_pixels:
        raise ValidationError(
            gettext("This image is %(width)s × %(height)s pixels; the limit is %(limit)s.")
            % {
                "width": format_count(width),
                "height": format_count(height),
                "limit": format_pixel_limit(max_pixels),
            },
            code="too_many_pixels",
        )


def _prepare_for(image: Image.Image, fmt: ImageFormat) -> Image.Image:
    """Convert to a mode the target encoder writes faithfully."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt.pillow == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if fmt.pillow == "WEBP":
        if image.mode in ("RGB", "RGBA"):
            return image
        return image.convert("RGBA" if has_alpha else "RGB")
    if fmt.pillow == "PNG":
        if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I"):
            return image
        return image.convert("RGBA" if has_alpha else "RGB")
    # GIF: the encoder quantises anything to a palette itself.
    return image


def _reencode(data: bytes, fmt: ImageFormat) -> bytes:
    image = Image.open(io.BytesIO(data), formats=[fmt.pillow])
    # Animated GIF/WEBP: only the first frame is decoded and kept. Avatars,
    # covers and generation inputs are still pictures; keeping animation would
    # multiply the pixel budget by the frame count.
    image.load()
    upright = ImageOps.exif_transpose(image)
    upright.info = {key: upright.info[key] for key in KEPT_INFO if key in upright.info}
    clean = _prepare_for(upright, fmt)
    if clean is not upright:
        clean.info = {key: value for key, value in upright.info.items() if key == "icc_profile"}

    out = io.BytesIO()
    options: dict = {}
    if fmt.pillow == "JPEG":
        options = {"quality": JPEG_QUALITY}
    elif fmt.pillow == "WEBP":
        options = {"quality": WEBP_QUALITY}
    if "icc_profile" in clean.info:
        options["icc_profile"] = clean.info["icc_profile"]
    clean.save(out, format=fmt.pillow, **options)
    return out.getvalue()


def validate_image_upload(
    uploaded, *, max_bytes: int | None = None, max_pixels: int | None = None
) -> ContentFile:
    """Check an uploaded image and return a re-encoded, metadata-free copy.

    ``uploaded`` is an ``UploadedFile`` or any binary file object. Returns a
    ``ContentFile`` named ``<uuid>.<ext>`` with a ``content_type`` attribute,
    ready for ``FieldFile.save`` or ``default_storage.save``. Raises
    ``ValidationError`` with a sentence a person can act on.
    """
    return _checked(uploaded, max_bytes=max_bytes, max_pixels=max_pixels, reencode=True)


def check_image_upload(
    uploaded, *, max_bytes: int | None = None, max_pixels: int | None = None
) -> tuple[bytes, ImageFormat]:
    """The same checks as :func:`validate_image_upload`, returning the bytes untouched.

    For reading what a file carries (Content Credentials on /verify/) without storing
    it: re-encoding would drop exactly what is being read.
    """
    return _checked(uploaded, max_bytes=max_bytes, max_pixels=max_pixels, reencode=False)


def _checked(uploaded, *, max_bytes: int | None, max_pixels: int | None, reencode: bool):
    max_bytes = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels

    size = _upload_size(uploaded)
    if size is not None and size > max_bytes:
        raise _too_big(size, max_bytes)
    data = _read_at_most(uploaded, max_bytes)
    if len(data) > max_bytes:
        raise _too_big(size or len(data), max_bytes)
    if not data:
        raise ValidationError(INVALID_IMAGE_SENTENCE, code="empty")

    # Pillow's own bomb guard (its default cap is ~89 megapixels) backs up ours
    # when a caller raises max_pixels: its warning counts as a rejection too.
    # (catch_warnings swaps the process-wide filter list for the duration; the
    # worst another thread can see meanwhile is this warning raised as an error.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            header, fmt = _identify(data)
            _check_pixels(header, max_pixels)
            header.close()
            image = Image.open(io.BytesIO(data), formats=[fmt.pillow])
            image.verify()
            if not reencode:
                return data, fmt
            # verify() leaves the image unusable; decoding starts again from the bytes.
            encoded = _reencode(data, fmt)
        except ValidationError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ValidationError(
                gettext("This image is too large to process; the limit is %(limit)s.")
                % {"limit": format_pixel_limit(max_pixels)},
                code="too_many_pixels",
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error, MemoryError):
            # Truncated data, bad CRCs, corrupt headers: all "not an image" to the person.
            raise ValidationError(INVALID_IMAGE_SENTENCE, code="invalid_image") from None

    result = ContentFile(encoded, name=f"{uuid.uuid4().hex}.{fmt.extension}")
    result.content_type = fmt.content_type
    return result


class ImageUploadField(forms.FileField):
    """A file field that accepts only safe images and cleans to the re-encoded file."""

    def __init__(self, *, max_bytes: int | None = None, max_pixels: int | None = None, **kwargs):
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        kwargs.setdefault("widget", forms.ClearableFileInput)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT)

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded in self.empty_values:
            return uploaded
        return validate_image_upload(uploaded, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
