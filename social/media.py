"""Video uploads for posts and stories (images go through modelsnapper.images).

A video is accepted on its container's magic bytes and size, then opened with
PyAV (FFmpeg's libraries, shipped in its wheel): it must hold a video stream that
decodes, frames no larger than the image pixel cap (checked before decoding), a
short may last 60 seconds at most, and the first frame becomes the thumbnail.
A file that cannot be read is refused with a sentence, never stored.
"""

from __future__ import annotations

import io
import uuid

import av
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from modelsnapper.images import describe_excess, format_bytes, format_pixel_limit

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


THUMBNAIL_WIDTH = 640
UNREADABLE = gettext_lazy("This video could not be read. Upload an MP4 or WebM file that plays.")


def validate_video_upload(
    uploaded, *, max_bytes: int | None = None, max_seconds: int | None = None
) -> ContentFile:
    """The upload as a stored-ready file with ``thumbnail`` (a PNG of its first frame) and
    ``duration_seconds`` attached; ValidationError with a sentence otherwise."""
    limit = max_bytes or video_max_bytes()
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        size_text, limit_text = describe_excess(size, limit)
        raise ValidationError(
            _("This video is %(size)s; the limit is %(limit)s.") % {"size": size_text, "limit": limit_text},
            code="too_big",
        )
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("This video is larger than %(limit)s.") % {"limit": format_bytes(limit)}, code="too_big"
        )
    kind = sniff_video(data[:64])
    if kind is None:
        raise ValidationError(_("Upload an MP4 or WebM video."), code="invalid_video")
    duration, frame = _probe(data)
    if max_seconds is not None and duration > max_seconds:
        raise ValidationError(
            _("This video lasts %(seconds)s seconds; a short can last %(max)s at most.")
            % {"seconds": f"{duration:.0f}", "max": max_seconds},
            code="too_long",
        )
    content = ContentFile(data, name=f"{uuid.uuid4().hex}.{kind}")
    content.content_type = VIDEO_TYPES[kind]
    content.duration_seconds = duration
    content.thumbnail = _png(frame)
    return content


def _probe(data: bytes) -> tuple[float, Image.Image]:
    """(duration in seconds, first frame) of a video, or ValidationError when it does not decode."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                raise ValidationError(_("This file has no video track."), code="invalid_video")
            stream = container.streams.video[0]
            _check_frame_size(stream.codec_context.width, stream.codec_context.height)
            if container.duration is not None:
                duration = container.duration / av.time_base
            elif stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            else:
                duration = 0.0
            for frame in container.decode(stream):
                return duration, frame.to_image()
    except av.FFmpegError as exc:
        raise ValidationError(UNREADABLE, code="invalid_video") from exc
    raise ValidationError(UNREADABLE, code="invalid_video")


def _check_frame_size(width: int, height: int) -> None:
    """Refuse frames above the image pixel cap from the container's declared size.

    A few hundred KB of MP4 can declare one 8000 × 8000 frame; decoding it (and
    converting it for the thumbnail) costs about a gigabyte, so the size is
    checked before the first frame is decoded, with the same cap as images.
    """
    if width <= 0 or height <= 0:
        raise ValidationError(UNREADABLE, code="invalid_video")
    max_pixels = settings.MAX_IMAGE_PIXELS
    if width * height > max_pixels:
        raise ValidationError(
            _("This video's frames are %(width)s × %(height)s pixels; the limit is %(limit)s.")
            % {
                "width": number_format(width, force_grouping=True),
                "height": number_format(height, force_grouping=True),
                "limit": format_pixel_limit(max_pixels),
            },
            code="too_many_pixels",
        )


def _png(frame: Image.Image) -> ContentFile:
    image = frame.convert("RGB")
    if image.width > THUMBNAIL_WIDTH:
        image = image.resize((THUMBNAIL_WIDTH, max(1, round(image.height * THUMBNAIL_WIDTH / image.width))))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    content = ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.png")
    content.content_type = "image/png"
    return content
