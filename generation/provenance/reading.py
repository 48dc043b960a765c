"""Read and judge the Content Credentials of any file: ours, another tool's, or none.

``read_credentials`` never raises on hostile bytes: a file that is not a readable
image, has no credentials, or fails validation each gets its own state, so the
/verify/ page always has a sentence to show.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field

import c2pa
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from modelsnapper.images import FORMATS

logger = logging.getLogger(__name__)

# States of a file.
NONE = "none"  # no Content Credentials
VALID = "valid"  # signature and every hash check out
TAMPERED = "tampered"  # credentials present but the file or manifest changed after signing
UNREADABLE = "unreadable"  # credentials present but broken beyond reading

# Who signed it.
PRODUCTION = "production"  # chains to our production certificate
DEVELOPMENT = "development"  # chains to this machine's development CA
UNKNOWN = "unknown"  # someone else (or one of our old or other machines' certificates)

SOURCE_TYPES = {
    "trainedAlgorithmicMedia": _("AI-generated"),
    "compositeWithTrainedAlgorithmicMedia": _("Edited with AI"),
    "algorithmicMedia": _("Computer-generated"),
    "digitalCapture": _("Camera capture"),
    "composite": _("Composite"),
    "compositeCapture": _("Composite of captures"),
    "compositeSynthetic": _("Composite with synthetic elements"),
    "digitalCreation": _("Digital creation"),
    "minorHumanEdits": _("Minor human edits"),
}
ACTIONS = {
    "c2pa.created": _("Created"),
    "c2pa.opened": _("Opened"),
    "c2pa.edited": _("Edited"),
    "c2pa.placed": _("Placed"),
    "c2pa.converted": _("Converted"),
    "c2pa.resized": _("Resized"),
    "c2pa.cropped": _("Cropped"),
    "c2pa.color_adjustments": _("Colour adjusted"),
    "c2pa.filtered": _("Filtered"),
    "c2pa.published": _("Published"),
}
MIME_BY_EXTENSION = {fmt.extension: fmt.content_type for fmt in FORMATS.values()}
RELATIONSHIPS = {"parentOf": _("Made from"), "componentOf": _("Contains"), "inputTo": _("Input to")}


@dataclass(frozen=True)
class Action:
    name: str
    source_type: str  # in words; "" when the action names none
    software: str


@dataclass(frozen=True)
class Ingredient:
    title: str
    relationship: str
    has_credentials: bool
    software: str


@dataclass
class Credentials:
    state: str
    trust: str = UNKNOWN
    label: str = ""
    signer: str = ""
    signed_at: str = ""
    generator: str = ""
    actions: list[Action] = field(default_factory=list)
    ingredients: list[Ingredient] = field(default_factory=list)
    license: dict | None = None
    prompt: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.state in (VALID, TAMPERED, UNREADABLE)

    @property
    def is_ai(self) -> bool:
        return any(
            action.source_type
            in (SOURCE_TYPES["trainedAlgorithmicMedia"], SOURCE_TYPES["compositeWithTrainedAlgorithmicMedia"])
            for action in self.actions
        )

    @property
    def ai_models(self) -> list[str]:
        return [action.software for action in self.actions if action.software and action.source_type]


def carries_credentials(data: bytes, mime: str) -> bool:
    """Whether ``data`` holds a manifest at all (valid or not)."""
    try:
        with c2pa.Reader(mime, io.BytesIO(data)):
            return True
    except c2pa.C2paError:
        return False


def _context() -> tuple[c2pa.Context | None, str]:
    """A reading context trusting our own root certificate, and what that root is."""
    from generation.provenance.keys import signing_keys

    try:
        keys = signing_keys()
    except ImproperlyConfigured:
        return None, UNKNOWN
    settings = c2pa.Settings.from_dict(
        {"trust": {"trust_anchors": keys.trust_anchor_pem.decode()}, "verify": {"verify_trust": True}}
    )
    return c2pa.Context(settings=settings), (DEVELOPMENT if keys.development else PRODUCTION)


def _agent(value) -> str:
    if isinstance(value, dict):
        return " ".join(part for part in (value.get("name", ""), value.get("version", "")) if part)
    return str(value or "")


def _source_type(uri: str) -> str:
    if not uri:
        return ""
    return SOURCE_TYPES.get(uri.rstrip("/").rsplit("/", 1)[-1], _("Other"))


def _actions(manifest: dict) -> list[Action]:
    actions = []
    for assertion in manifest.get("assertions", []):
        if not assertion.get("label", "").startswith("c2pa.actions"):
            continue
        for action in assertion.get("data", {}).get("actions", []):
            name = action.get("action", "")
            actions.append(
                Action(
                    name=ACTIONS.get(name, name),
                    source_type=_source_type(action.get("digitalSourceType", "")),
                    software=_agent(action.get("softwareAgent")),
                )
            )
    return actions


def _assertion(manifest: dict, label: str) -> dict | None:
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") == label and isinstance(assertion.get("data"), dict):
            return assertion["data"]
    return None


def _ingredients(manifest: dict, manifests: dict) -> list[Ingredient]:
    ingredients = []
    for item in manifest.get("ingredients", []):
        nested = manifests.get(item.get("active_manifest", ""), {})
        software = ", ".join(
            action.software for action in _actions(nested) if action.software and action.source_type
        )
        ingredients.append(
            Ingredient(
                title=str(item.get("title", "")),
                relationship=RELATIONSHIPS.get(item.get("relationship", ""), "Uses"),
                has_credentials=bool(item.get("active_manifest")),
                software=software,
            )
        )
    return ingredients


def _problems(report: dict) -> list[str]:
    failures = report.get("validation_results", {}).get("activeManifest", {}).get("failure", [])
    return [
        item.get("explanation", item.get("code", ""))
        for item in failures
        if item.get("code") != "signingCredential.untrusted"
    ]


def read_credentials(data: bytes, mime: str) -> Credentials:
    """The Content Credentials in ``data`` (a file of type ``mime``), judged."""
    from generation.provenance.signing import LICENSE_LABEL, PROMPT_LABEL

    context, anchor = _context()
    try:
        with c2pa.Reader(mime, io.BytesIO(data), context=context) as reader:
            report = json.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return Credentials(state=NONE)
    except c2pa.C2paError as exc:
        # JUMBF present but unparsable, or bytes the SDK cannot read as this type at all.
        logger.info("credentials unreadable: %s", exc)
        return Credentials(state=UNREADABLE, problems=[str(exc)])
    manifests = report.get("manifests", {})
    label = report.get("active_manifest", "")
    manifest = manifests.get(label, {})
    validation = report.get("validation_state", "")
    signature = manifest.get("signature_info", {})
    generator = ", ".join(
        _agent(info) for info in manifest.get("claim_generator_info", []) if isinstance(info, dict)
    )
    prompt = _assertion(manifest, PROMPT_LABEL) or {}
    return Credentials(
        state=VALID if validation in ("Valid", "Trusted") else TAMPERED,
        trust=anchor if validation == "Trusted" else UNKNOWN,
        label=label,
        signer=" — ".join(part for part in (signature.get("issuer"), signature.get("common_name")) if part),
        signed_at=signature.get("time", ""),
        generator=generator,
        actions=_actions(manifest),
        ingredients=_ingredients(manifest, manifests),
        license=_assertion(manifest, LICENSE_LABEL),
        prompt=str(prompt.get("prompt", "")),
        problems=_problems(report),
    )
