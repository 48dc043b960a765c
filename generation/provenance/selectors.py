"""Reads for the credentials pages: which of our images (and license) a manifest points to."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from generation.marketplace.selectors import licensed_job
from generation.models import Image
from generation.provenance.reading import MIME_BY_EXTENSION, Credentials, read_credentials
from generation.selectors import image_visible_to


@dataclass(frozen=True)
class OurLinks:
    image_url: str = ""
    license_url: str = ""


def links_for(user, credentials: Credentials) -> OurLinks:
    """Where a viewer may go from credentials we signed: the image (if they may see it) and its license."""
    if not credentials.label:
        return OurLinks()
    image = Image.objects.filter(credentials_label=credentials.label, delivered=True).first()
    if image is None:
        return OurLinks()
    try:
        image_visible_to(user, image.pk)
    except Http404:
        image_url = ""
    else:
        own = user.is_authenticated and image.user_id == user.pk
        image_url = image.get_absolute_url() if own else image.url
    license_url = ""
    if image.job_id and user.is_authenticated:
        try:
            licensed_job(user=user, job_id=image.job_id)  # its business or its model only
            license_url = reverse("marketplace:license", args=[image.job_id])
        except Http404:
            pass
    return OurLinks(image_url=image_url, license_url=license_url)


def stored_credentials(image: Image) -> Credentials:
    """The credentials in an image's stored original (what a download gets)."""
    with image.file.storage.open(image.file.name) as handle:
        data = handle.read()
    return read_credentials(data, MIME_BY_EXTENSION.get(image.file_format, "image/png"))
