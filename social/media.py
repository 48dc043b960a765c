"""Video uploads for posts and stories (images go through modelsnapper.images).

No ffmpeg here: a video is accepted on its container's magic bytes and size, and
its thumbnail is a generated placeholder picture (a play symbol), not a frame.
"""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from modelsnapper.images import format_bytes

VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}


def video_max_bytes() -> int:
    return getattr(settings, "SOCIAL_VIDEO_MAX_BYTES", 100 * 1024 * 1024)


def sniff_video(head: bytes) -> str | None:
    """``mp4`` (ISO BMFF: ``ftyp`` box at offset 4), ``webm`` (EBML header), or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:64]:
        return "webm"
    return None


def validate_video_upload(uploaded, *, max_bytes: int | None = None) -> ContentFile:
    limit = max_bytes or video_max_bytes()
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"This video is {format_bytes(size)}; the limit is {format_bytes(limit)}.", code="too_big"
        )
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"This video is larger than {format_bytes(limit)}.", code="too_big")
    kind = sniff_video(data[:64])
    if kind is None:
        raise ValidationError("Upload an MP4 or WebM video.", code="invalid_video")
    content = ContentFile(data, name=f"{uuid.uuid4().hex}.{kind}")
    content.content_type = VIDEO_TYPES[kind]
    return content


def placeholder_thumbnail(label: str = "") -> ContentFile:
    """A 640×360 dark PNG with a play symbol, standing in for a real video frame."""
    image = Image.new("RGB", (640, 360), (24, 24, 32))
    draw = ImageDraw.Draw(image)
    draw.polygon([(280, 130), (280, 230), (370, 180)], fill=(235, 235, 245))
    if label:
        draw.text((20, 330), label[:60], fill=(200, 200, 210))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    content = ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.png")
    content.content_type = "image/png"
    return content
