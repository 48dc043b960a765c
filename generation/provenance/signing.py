"""Build the C2PA manifest of a job's output and sign the bytes.

What a manifest says (issue 16):
- ``c2pa.created`` with the IPTC ``trainedAlgorithmicMedia`` source type for a picture made
  from text, or ``c2pa.opened`` + ``c2pa.edited`` with ``compositeWithTrainedAlgorithmicMedia``
  for an edit, whose source image travels as the ``parentOf`` ingredient (with its own
  credentials nested when it has them); ``softwareAgent`` names the AI model;
- ``com.modelsnapper.license`` for a human-model or avatar picture: the license record's
  public address, the release version, the consent request and the model's public name;
- ``com.modelsnapper.prompt`` only when the owner chose to publish the prompt;
- the provider's own file as an ingredient when it arrived with Content Credentials.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from dataclasses import dataclass

import c2pa
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import ModelProfile
from generation.provenance.keys import signing_keys
from generation.provenance.reading import MIME_BY_EXTENSION, carries_credentials

TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
LICENSE_LABEL = "com.modelsnapper.license"
PROMPT_LABEL = "com.modelsnapper.prompt"
SOURCE_INGREDIENT = "source-image"
PROVIDER_INGREDIENT = "provider-output"
GENERATOR = {"name": "ModelSnapper", "version": "1.0"}


@dataclass(frozen=True)
class Signed:
    file: ContentFile
    manifest_label: str  # urn:c2pa:<uuid>, how /verify/ finds our image again; "" when signing is off
    manifest_sha256: str  # of the manifest store we embedded; "" when signing is off


def _software_agent(job) -> dict:
    model = job.ai_model
    agent = {"name": model.name}
    version = model.provider_version
    if job.personal_model_id:
        agent["name"] = f"{model.name} (personal model)"
    if version:
        agent["version"] = version
    return agent


def _license_assertion(job) -> dict | None:
    """What the license page shows publicly about who appears in the picture; nothing private."""
    if job.human_model_id:
        profile = ModelProfile.objects.filter(user_id=job.human_model_id).first()
        path = reverse("marketplace:license", args=[job.pk])
        return {
            "subject": "human model",
            "license_url": f"{settings.SITE_URL}{path}",
            "release_version": job.release_version or (profile.release_version if profile else ""),
            "consent_request_id": str(job.consent_request_id or ""),
            "model_name": profile.display_name if profile else "",
        }
    if job.avatar_id:
        return {"subject": "AI avatar", "avatar_name": job.avatar.name if job.avatar else ""}
    return None


def manifest_for(
    job, *, title: str, publish_prompt: bool, provider_credentials: bool, source_attached: bool
) -> dict:
    agent = _software_agent(job)
    if job.source_image_id and source_attached:
        actions = [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": [SOURCE_INGREDIENT]}},
            {"action": "c2pa.edited", "digitalSourceType": COMPOSITE, "softwareAgent": agent},
        ]
    elif job.source_image_id:
        # The source file is gone (deleted meanwhile): still an AI edit, without its lineage.
        actions = [{"action": "c2pa.created", "digitalSourceType": COMPOSITE, "softwareAgent": agent}]
    else:
        actions = [{"action": "c2pa.created", "digitalSourceType": TRAINED, "softwareAgent": agent}]
    if provider_credentials:
        actions.append({"action": "c2pa.placed", "parameters": {"ingredientIds": [PROVIDER_INGREDIENT]}})
    assertions = [{"label": "c2pa.actions", "data": {"actions": actions}}]
    license_data = _license_assertion(job)
    if license_data:
        assertions.append({"label": LICENSE_LABEL, "data": license_data})
    if publish_prompt:
        assertions.append({"label": PROMPT_LABEL, "data": {"prompt": job.prompt}})
    return {
        "claim_generator_info": [GENERATOR],
        "label": f"urn:c2pa:{uuid.uuid4()}",
        "title": title,
        "assertions": assertions,
    }


def _source_bytes(job) -> tuple[bytes, str] | None:
    source = job.source_image
    if source is None:
        return None
    try:
        with source.file.storage.open(source.file.name) as handle:
            return handle.read(), MIME_BY_EXTENSION.get(source.file_format, "image/png")
    except (FileNotFoundError, ValueError):
        return None


def _context() -> c2pa.Context:
    # No preview thumbnail inside the manifest: the picture is right there, and a JPEG
    # preview of a detailed 1024 px image costs ~100 ms and hundreds of KB per output
    # (benchmarks/provenance_signing.py); without it signing adds ~3 KB in ~10 ms.
    return c2pa.Context(settings=c2pa.Settings.from_dict({"builder": {"thumbnail": {"enabled": False}}}))


def sign_bytes(
    job,
    data: bytes,
    *,
    extension: str,
    publish_prompt: bool = False,
    as_delivered: bytes | None = None,
) -> tuple[bytes, str, str]:
    """``data`` with our manifest embedded, the manifest's label and the manifest store's SHA-256.

    ``as_delivered``: the provider's bytes before our checks re-encoded them; kept as an
    ingredient when they carry Content Credentials of their own.
    """
    mime = MIME_BY_EXTENSION[extension]
    delivered_mime = _sniff_mime(as_delivered) if as_delivered is not None else None
    provider_credentials = bool(delivered_mime) and carries_credentials(as_delivered, delivered_mime)
    source = _source_bytes(job) if job.source_image_id else None
    manifest = manifest_for(
        job,
        title=f"modelsnapper-{job.pk}.{extension}",
        publish_prompt=publish_prompt,
        provider_credentials=provider_credentials,
        source_attached=source is not None,
    )
    keys = signing_keys()
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(alg=b"es256", sign_cert=keys.chain_pem, private_key=keys.key_pem, ta_url=None)
    )
    with signer, c2pa.Builder(json.dumps(manifest), context=_context()) as builder:
        if source is not None:
            builder.add_ingredient(
                {"title": "Source image", "relationship": "parentOf", "label": SOURCE_INGREDIENT},
                source[1],
                io.BytesIO(source[0]),
            )
        if provider_credentials:
            builder.add_ingredient(
                {"title": "Provider output", "relationship": "componentOf", "label": PROVIDER_INGREDIENT},
                delivered_mime,
                io.BytesIO(as_delivered),
            )
        out = io.BytesIO()
        manifest_bytes = builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue(), manifest["label"], hashlib.sha256(manifest_bytes).hexdigest()


def _sniff_mime(data: bytes) -> str | None:
    head = data[:16]
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"GIF8":
        return "image/gif"
    return None


def sign_output(*, job, image: ContentFile, as_delivered: bytes | None = None) -> Signed:
    """The stored-to-be file of a job's output, signed (or as it is when C2PA_ENABLED is off)."""
    image.seek(0)
    if not settings.C2PA_ENABLED:
        return Signed(image, "", "")
    extension = image.name.rsplit(".", 1)[-1]
    data, label, digest = sign_bytes(job, image.read(), extension=extension, as_delivered=as_delivered)
    return Signed(ContentFile(data, name=image.name), label, digest)
