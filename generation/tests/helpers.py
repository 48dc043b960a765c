"""What several generation test modules do the same way: upload a picture, ask for an edit,
and send training photos."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from generation.models import Image
from modelsnapper.testing.media import png_bytes


def upload(name="photo.png", data=None):
    """A PNG upload (64×48 unless ``data`` is given)."""
    return SimpleUploadedFile(name, data or png_bytes((64, 48)), content_type="image/png")


def edit(client, **data):
    """Post the edit form: a winter look with the ``local-edit`` model unless ``data`` says otherwise."""
    form = {"prompt": "make it look like winter", "model": "local-edit"}
    form.update(data)
    return client.post(reverse("generation:edit"), form)


def photos(count, *, exif=False):
    """``count`` distinct training photos: PNGs, or JPEGs carrying an EXIF camera make."""
    files = []
    for n in range(count):
        data = png_bytes((40, 40), (n * 10 % 256, 80, 120))
        if exif:
            out = io.BytesIO()
            exif_data = PILImage.Exif()
            exif_data[0x010F] = "SecretCam"  # Make
            PILImage.new("RGB", (40, 40), (n, 1, 2)).save(out, format="JPEG", exif=exif_data)
            data = out.getvalue()
        files.append(
            SimpleUploadedFile(
                f"me{n}.{'jpg' if exif else 'png'}", data, content_type="image/jpeg" if exif else "image/png"
            )
        )
    return files


def upload_photos(client, files, model):
    """Post ``files`` to the photos of ``model``, a personal model of the signed-in person."""
    return client.post(reverse("generation:my_model_photos", args=[model.pk]), {"photos": files})


def outputs(job) -> list[Image]:
    """A job's stored output images, in output order."""
    return list(Image.objects.filter(job_id=job.pk).order_by("output_index"))
