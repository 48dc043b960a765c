"""Small in-memory images for upload tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_upload(name: str = "me.jpg", fmt: str = "JPEG", size=(64, 48), color=(180, 40, 90), **options):
    out = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    fill = (*color, 255) if mode == "RGBA" else color
    Image.new(mode, size, fill).save(out, format=fmt, **options)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)
