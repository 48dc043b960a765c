"""Writes on an image's Content Credentials."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext

from generation.models import Image
from generation.provenance.reading import MIME_BY_EXTENSION, read_credentials
from generation.provenance.signing import sign_bytes


class CredentialsError(Exception):
    """A change the credentials cannot take; the message is for the person."""


def image_prompt_publish(*, image: Image, publish: bool) -> None:
    """Put the prompt into (or take it out of) the image's credentials by signing it again.

    The stored original is re-signed with the manifest its job gives today plus the choice.
    The swap is a conditional update on the file name, so two changes at once leave one
    file and one manifest; the loser's file is removed and it is told to try again.
    """
    if image.publish_prompt_in_credentials == publish:
        return
    if not image.credentials_label or image.job is None:
        raise CredentialsError(gettext("This image has no Content Credentials to change."))
    with image.file.storage.open(image.file.name) as handle:
        data = handle.read()
    current = read_credentials(data, MIME_BY_EXTENSION.get(image.file_format, "image/png"))
    if any(item.relationship == "Contains" for item in current.ingredients):
        # Signing again would drop the provider's own credentials, which we keep as they came.
        raise CredentialsError(
            "This image carries its provider's credentials, so its prompt setting is fixed."
        )
    signed, label, digest = sign_bytes(image.job, data, extension=image.file_format, publish_prompt=publish)
    storage = image.file.storage
    old_name = image.file.name
    new_name = storage.save(
        f"{old_name.rsplit('/', 1)[0]}/{uuid.uuid4().hex}.{image.file_format}", ContentFile(signed)
    )
    changed = Image.objects.filter(pk=image.pk, file=old_name).update(
        file=new_name,
        file_size=len(signed),
        credentials_label=label,
        credentials_sha256=digest,
        publish_prompt_in_credentials=publish,
    )
    if not changed:
        storage.delete(new_name)
        raise CredentialsError(gettext("This image changed meanwhile. Try again."))
    storage.delete(old_name)
    image.file.name = new_name
    image.publish_prompt_in_credentials = publish
    image.credentials_label, image.credentials_sha256 = label, digest
