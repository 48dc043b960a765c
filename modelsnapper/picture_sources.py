"""Which stored picture an object shows, and where its variants live: one catalogue for every kind.

The ``{% picture %}`` tag, the store-time hooks and ``build_variants`` all ask this module,
so the rule "a video post shows its poster", "a group has an avatar and a cover" or "a
private generation's variants go through its ownership check" is written once.

A source reads only the object's own fields (its variants are stored on it, see
:mod:`modelsnapper.variants`), so rendering a grid of pictures makes no query.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.urls import reverse

from modelsnapper.media import link_for, media_owner_id
from modelsnapper.variants import VariantError, VariantSet, build_variants, delete_variants

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Picture:
    """What a page needs to show one stored picture."""

    original_url: str
    variants: VariantSet
    variant_url: Callable[[str], str]
    public: bool
    intrinsic: tuple[int, int] | None = None

    @property
    def size(self) -> tuple[int, int] | None:
        """Intrinsic width × height: from the variants, else from the record (generation images)."""
        if self.variants.width and self.variants.height:
            return self.variants.width, self.variants.height
        return self.intrinsic

    def urls(self) -> list[tuple[int, str]]:
        """(width, URL) of every variant, narrowest first."""
        return [(width, self.variant_url(name)) for width, name in self.variants.files()]

    def url_for(self, width: int) -> str:
        """The narrowest variant at least ``width`` wide (the widest there is otherwise), else the original."""
        urls = self.urls()
        if not urls:
            return self.original_url
        for available, url in urls:
            if available >= width:
                return url
        return urls[-1][1]


@dataclass(frozen=True)
class Slot:
    """One picture-holding file field of a model: where its variants are kept on the same object."""

    file_attr: str
    variants_attr: str


@dataclass(frozen=True)
class Source:
    slots: dict[str, Slot]  # role → slot; the first is the default role
    picture: Callable[[Any, Slot], Picture | None]
    pick_role: Callable[[Any], str] | None = field(default=None)

    def slot(self, obj: Any, role: str = "") -> Slot:
        if not role and self.pick_role is not None:
            role = self.pick_role(obj)
        return self.slots.get(role) or next(iter(self.slots.values()))


def variants_of(obj: Any, slot: Slot) -> VariantSet:
    return VariantSet.from_data(getattr(obj, slot.variants_attr, None))


def _served_by(view: str, pk: Any, *, public: bool, storage=None) -> Callable[[str], str]:
    """Variant URLs through ``view`` (its ownership rules), or straight at S3 when public."""

    def url(name: str) -> str:
        view_url = reverse(view, args=[pk, posixpath.basename(name)])
        return link_for(None, public=public, view_url=view_url, name=name, storage=storage or default_storage)

    return url


def _by_media_path(storage) -> Callable[[str], str]:
    """Variants of files the media storage serves by name (``private/<user id>/`` to its owner only)."""
    return lambda name: storage.url(name)


def _image(obj, slot: Slot) -> Picture | None:
    if not obj.file:
        return None
    return Picture(
        original_url=obj.url,
        variants=variants_of(obj, slot),
        variant_url=_served_by(
            "generation:image_variant", obj.pk, public=obj.is_public, storage=obj.file.storage
        ),
        public=obj.is_public,
        intrinsic=(obj.width, obj.height) if obj.width and obj.height else None,
    )


def _post_role(post) -> str:
    return "poster" if post.is_video else "media"


def _post(obj, slot: Slot) -> Picture | None:
    field_file = getattr(obj, slot.file_attr)
    if not field_file:
        return None
    return Picture(
        original_url=obj.thumbnail_src if slot.file_attr == "thumbnail" else obj.media_src,
        variants=variants_of(obj, slot),
        variant_url=_served_by("social:post_variant", obj.pk, public=obj.listed, storage=field_file.storage),
        public=obj.listed,
    )


def _story(obj, slot: Slot) -> Picture | None:
    if not obj.media or obj.kind != "image":
        return None
    return Picture(
        original_url=reverse("social:story_media", args=[obj.pk]),
        variants=variants_of(obj, slot),
        variant_url=_served_by("social:story_variant", obj.pk, public=False, storage=obj.media.storage),
        public=False,
    )


def _stored_field(obj, slot: Slot) -> Picture | None:
    """A picture whose file the media storage serves by name (avatars, covers, training photos)."""
    field_file = getattr(obj, slot.file_attr)
    if not field_file:
        return None
    return Picture(
        original_url=field_file.url,
        variants=variants_of(obj, slot),
        variant_url=_by_media_path(field_file.storage),
        public=media_owner_id(field_file.name) is None,
    )


@dataclass(frozen=True)
class LikenessReference:
    """One of a human model's reference images (their names live in ``ModelProfile.reference_images``)."""

    profile: Any
    name: str


def likeness_references(profile) -> list[LikenessReference]:
    return [LikenessReference(profile, name) for name in profile.reference_images or []]


def _likeness(obj: LikenessReference, slot: Slot) -> Picture | None:
    if not obj.name:
        return None
    data = (getattr(obj.profile, "reference_variants", None) or {}).get(reference_key(obj.name))
    return Picture(
        original_url=default_storage.url(obj.name),
        variants=VariantSet.from_data(data),
        variant_url=_by_media_path(default_storage),
        public=False,
    )


def reference_key(name: str) -> str:
    # MongoDB field names may not contain dots; a storage name's basename always has one.
    return posixpath.basename(name).replace(".", "_")


IMAGE_SOURCE = Source(slots={"": Slot("file", "variants")}, picture=_image)
POST_SOURCE = Source(
    slots={"media": Slot("media", "variants"), "poster": Slot("thumbnail", "variants")},
    picture=_post,
    pick_role=_post_role,
)
STORY_SOURCE = Source(slots={"": Slot("media", "variants")}, picture=_story)
USER_SOURCE = Source(
    slots={"avatar": Slot("avatar", "avatar_variants"), "cover": Slot("cover_image", "cover_variants")},
    picture=_stored_field,
)
GROUP_SOURCE = Source(
    slots={"avatar": Slot("avatar", "avatar_variants"), "cover": Slot("cover_image", "cover_variants")},
    picture=_stored_field,
)
TRAINING_PHOTO_SOURCE = Source(slots={"": Slot("file", "variants")}, picture=_stored_field)
AI_AVATAR_SOURCE = Source(slots={"": Slot("reference_image", "variants")}, picture=_stored_field)
LIKENESS_SOURCE = Source(slots={"": Slot("name", "reference_variants")}, picture=_likeness)

_SOURCES: dict[str, Source] = {
    "generation.image": IMAGE_SOURCE,
    "social.post": POST_SOURCE,
    "social.story": STORY_SOURCE,
    "accounts.user": USER_SOURCE,
    "social.group": GROUP_SOURCE,
    "generation.trainingphoto": TRAINING_PHOTO_SOURCE,
    "generation.aiavatar": AI_AVATAR_SOURCE,
}


def source_for(obj: Any) -> Source | None:
    if isinstance(obj, LikenessReference):
        return LIKENESS_SOURCE
    meta = getattr(obj, "_meta", None)
    return _SOURCES.get(meta.label_lower) if meta is not None else None


def picture_for(obj: Any, role: str = "") -> Picture | None:
    """The picture ``obj`` shows in ``role`` (avatar/cover for people and groups), or None."""
    source = source_for(obj)
    if source is None or obj is None:
        return None
    return source.picture(obj, source.slot(obj, role))


# --- making and removing variants (store time, build_variants, deletion) ---------------------


def _read(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as stored:
        return stored.read()


def picture_variants_build(*, obj: Any, role: str = "", data: bytes | None = None) -> VariantSet:
    """Make the variants of ``obj``'s picture in ``role`` and record them on ``obj`` (one update).

    ``data``: the original's bytes when the caller has them (saves reading them back).
    Raises :class:`~modelsnapper.variants.VariantError` when the original is not a readable picture,
    and FileNotFoundError when it is missing.
    """
    source = source_for(obj)
    if source is None:
        raise TypeError(f"{type(obj).__name__} has no picture")
    slot = source.slot(obj, role)
    field_file = getattr(obj, slot.file_attr)
    if not field_file:
        built = VariantSet()  # no picture (any more): nothing recorded either
    else:
        built = build_variants(
            _read(field_file) if data is None else data,
            original_name=field_file.name,
            storage=field_file.storage,
        )
    setattr(obj, slot.variants_attr, built.to_data())
    # Only while the picture is still the one these were made from: a new upload meanwhile
    # records its own variants, never these.
    still = {slot.file_attr: field_file.name or ""}
    type(obj)._default_manager.filter(pk=obj.pk, **still).update(**{slot.variants_attr: built.to_data()})
    return built


def picture_variants_store(*, obj: Any, role: str = "", data: bytes | None = None) -> VariantSet:
    """:func:`picture_variants_build` for a picture being stored right now.

    Its original was validated on the way in, so a failure here is a bug or an outage, not
    bad input: it is logged and the picture keeps being shown from its original, never
    failing the upload or the job. ``build_variants`` can make them later.
    """
    try:
        return picture_variants_build(obj=obj, role=role, data=data)
    except (VariantError, OSError):
        logger.exception("could not make variants of %s %s", type(obj).__name__, getattr(obj, "pk", ""))
        return VariantSet()


def picture_variants_delete(data, *, storage=None, keep=()) -> None:
    """Remove stored variant files (what a ``variants`` field held) when their original goes.

    ``keep``: the variants now recorded (several ``variants`` values); a file in both (the same
    picture uploaded again has the same content-addressed names) stays.
    """
    kept = {name for held in keep for _, name in VariantSet.from_data(held).files()}
    doomed = {"files": {str(w): n for w, n in VariantSet.from_data(data).files() if n not in kept}}
    try:
        delete_variants(doomed, storage=storage or default_storage)
    except Exception:  # a leftover variant is harmless; the caller's change is not undone for it
        logger.warning("could not delete variants %s", doomed, exc_info=True)


def likeness_variants_build(names: list[str], *, storage=None) -> dict:
    """The ``reference_variants`` for a model's reference images (``reference_key`` → variants).

    A reference that cannot be read is skipped (logged): it keeps being shown from its original.
    """
    storage = storage or default_storage
    result = {}
    for name in names:
        try:
            with storage.open(name, "rb") as stored:
                built = build_variants(stored.read(), original_name=name, storage=storage)
        except (VariantError, OSError):
            logger.exception("could not make variants of likeness reference %s", name)
            continue
        result[reference_key(name)] = built.to_data()
    return result


def variants_field_for(obj: Any, role: str = "") -> str:
    """The name of the field on ``obj`` that records its picture's variants in ``role``."""
    source = source_for(obj)
    if source is None:
        raise TypeError(f"{type(obj).__name__} has no picture")
    return source.slot(obj, role).variants_attr


def picture_kinds() -> list[tuple[str, list[str]]]:
    """Every model holding pictures, as (``app_label.model``, its roles), for ``build_variants``."""
    return [
        (label, [""] if source.pick_role is not None else list(source.slots))
        for label, source in _SOURCES.items()
    ]
