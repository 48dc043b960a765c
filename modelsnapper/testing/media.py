"""Small, real media for tests: images and videos made in memory, as bytes or uploads."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_bytes(size=(32, 24), colour=(200, 30, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def png_file(name="pic.png", size=(8, 8), color=(200, 30, 30)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)


def image_upload(name: str = "me.jpg", fmt: str = "JPEG", size=(64, 48), color=(180, 40, 90), **options):
    out = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    fill = (*color, 255) if mode == "RGBA" else color
    Image.new(mode, size, fill).save(out, format=fmt, **options)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


def reference_uploads(count: int) -> list[SimpleUploadedFile]:
    """``count`` PNG uploads, as a model's likeness references."""
    return [SimpleUploadedFile(f"ref{i}.png", png_bytes(), content_type="image/png") for i in range(count)]


def video_bytes(*, seconds: float = 1.0, kind: str = "mp4", fps: int = 4, size=(64, 48)) -> bytes:
    """A real, playable video made with PyAV: a coloured frame per step, ``seconds`` long."""
    import av  # only the video tests need PyAV's codecs loaded

    codec = {"mp4": "mpeg4", "webm": "libvpx"}[kind]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=kind) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for n in range(max(1, round(seconds * fps))):
            image = Image.new("RGB", size, (30 + n * 7 % 200, 120, 200))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def video_file(name: str = "clip.mp4", **kwargs) -> SimpleUploadedFile:
    kind = name.rsplit(".", 1)[-1]
    return SimpleUploadedFile(name, video_bytes(kind=kind, **kwargs), content_type=f"video/{kind}")
