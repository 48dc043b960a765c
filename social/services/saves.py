"""Saved posts and their collections.

Counter rule for collections (as for every social counter): the write that proves a change
— the insert of a Save, the conditional update that changed its collection, the delete that
removed it — is made first; only the request whose write matched moves ``saves_count``.
Each of those writes and every counter it moves are one transaction, so a database failure
between them leaves neither (benchmarks/soak.py saw a save its collection never counted).
Deleting a collection moves its saves to the default collection (“Saved Items”); a save
racing into a collection that is gone finds its ``+1`` matching nothing, undoes its whole
transaction and is made again into the default collection (``_into_collection``).

Collections are created before the transaction, never inside it: creating an empty
collection is idempotent, and a get-or-create inside a transaction would turn a racing
creation's duplicate key into an aborted transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, connections
from django.db.models import F
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from modelsnapper import seams
from modelsnapper.db import run_in_transaction
from social import selectors
from social.models import Post, Save, SaveCollection
from social.services.counters import _dec, _delete_exactly_one, _session
from social.services.errors import SocialError

NAME_MAX = 60
NOTES_MAX = 500
# A move re-reads the save's collection when a concurrent move changed it first.
MOVE_ATTEMPTS = 5

T = TypeVar("T")


def _clean_name(name: str) -> str:
    name = (name or "").strip() or SaveCollection.DEFAULT_NAME
    if len(name) > NAME_MAX:
        raise SocialError(
            _("Collection names are limited to %(n)s characters.") % {"n": number_format(NAME_MAX)},
            field="collection",
        )
    return name


def _check_notes(notes: str) -> None:
    if len(notes or "") > NOTES_MAX:
        raise SocialError(
            _("Notes are limited to %(n)s characters.")
            % {"n": number_format(NOTES_MAX, force_grouping=True)},
            field="notes",
        )


def collection_get_or_create(*, user, name: str) -> SaveCollection:
    name = _clean_name(name)
    existing = SaveCollection.objects.filter(user=user, name=name).first()
    if existing:
        return existing
    try:
        return SaveCollection.objects.create(user=user, name=name)
    except IntegrityError:
        return SaveCollection.objects.get(user=user, name=name)


class _CollectionGone(Exception):
    """Raised inside a transaction when the collection a save goes into was deleted meanwhile,
    so that the transaction is undone as a whole."""


def _count_into(collection_pk) -> None:
    """Add one save to its collection's count (inside the save's transaction)."""
    if not SaveCollection.objects.filter(pk=collection_pk).update(saves_count=F("saves_count") + 1):
        raise _CollectionGone


def _into_collection(*, user, collection: SaveCollection, write: Callable[[SaveCollection], T]) -> T:
    """Run ``write(collection)`` as one transaction. If the collection was deleted meanwhile,
    nothing was written and it runs again into the default collection, where the deleted
    collection's saves went (the default one cannot be deleted)."""
    try:
        return run_in_transaction(lambda: write(collection))
    except _CollectionGone:
        default = collection_get_or_create(user=user, name=SaveCollection.DEFAULT_NAME)
    try:
        return run_in_transaction(lambda: write(default))
    except _CollectionGone:  # the account's collections are being removed
        raise SocialError(_("This collection no longer exists. Please try again.")) from None


def save_create(*, user, post: Post, collection_name: str = "", notes: str = "") -> Save:
    if not selectors.can_view_post(user, post):
        raise SocialError(_("You can't save this post."))
    _check_notes(notes)
    collection = collection_get_or_create(user=user, name=collection_name)
    seams.reached("save.collection_chosen", collection=collection)

    def write(collection: SaveCollection) -> Save:
        save = Save.objects.create(user=user, post=post, collection=collection, notes=notes or "")
        Post.objects.filter(pk=post.pk).update(saves_count=F("saves_count") + 1)
        _count_into(collection.pk)
        return save

    try:
        return _into_collection(user=user, collection=collection, write=write)
    except IntegrityError:
        raise SocialError(_("You already saved this post.")) from None


def save_delete(*, user, post: Post) -> bool:
    def write() -> bool:
        # find_one_and_delete returns the document as it was when removed, so the collection
        # decremented is the one the save was in then, even if a move raced with this delete.
        # On the transaction's session: outside it, the delete would wait for this very
        # transaction's locks (SecantusDB retries such a write forever).
        removed = (
            connections["default"]
            .database[Save._meta.db_table]
            .find_one_and_delete({"user_id": user.pk, "post_id": post.pk}, session=_session())
        )
        if removed is None:
            return False
        _dec(Post, post.pk, "saves_count")
        _dec(SaveCollection, removed["collection_id"], "saves_count")
        return True

    return run_in_transaction(write)


def save_update(*, user, save: Save, collection_name: str, notes: str) -> Save:
    """Move a save to another collection (created if new) and set its note."""
    if save.user_id != user.pk:
        raise SocialError(_("This isn't your save."))
    _check_notes(notes)
    notes = (notes or "").strip()
    target = collection_get_or_create(user=user, name=collection_name)

    def move(target: SaveCollection) -> None:
        for _attempt in range(MOVE_ATTEMPTS):
            current = Save.objects.filter(pk=save.pk).values_list("collection_id", flat=True).first()
            if current is None:
                raise SocialError(_("This post is no longer saved."))
            if current == target.pk:
                Save.objects.filter(pk=save.pk).update(notes=notes)
                return
            if Save.objects.filter(pk=save.pk, collection_id=current).update(collection=target, notes=notes):
                _dec(SaveCollection, current, "saves_count")
                _count_into(target.pk)
                return
        raise SocialError(_("This save changed while you were editing it. Please try again."))

    _into_collection(user=user, collection=target, write=move)
    moved = Save.objects.filter(pk=save.pk).first()
    if moved is None:  # unsaved by a concurrent request right after the move
        raise SocialError(_("This post is no longer saved."))
    return moved


def _refuse_default(collection: SaveCollection, refusal: str) -> None:
    """``refusal`` names the default collection as %(name)s, in the reader's language."""
    if collection.is_default:
        raise SocialError(
            refusal % {"name": pgettext("the default collection of saved posts", "Saved Items")}
        )


def collection_rename(*, user, collection: SaveCollection, name: str) -> SaveCollection:
    if collection.user_id != user.pk:
        raise SocialError(_("This isn't your collection."))
    _refuse_default(
        collection, _("“%(name)s” is where posts saved without a collection go; it can't be renamed.")
    )
    if not (name or "").strip():
        raise SocialError(_("Give the collection a name."), field="name")
    name = _clean_name(name)
    try:
        SaveCollection.objects.filter(pk=collection.pk, user=user).update(name=name)
    except IntegrityError:
        raise SocialError(
            _("You already have a collection called “%(name)s”.") % {"name": name}, field="name"
        ) from None
    collection.name = name
    return collection


def collection_delete(*, user, collection: SaveCollection) -> int:
    """Delete a collection; its saves move to the default collection. Returns how many moved."""
    if collection.user_id != user.pk:
        raise SocialError(_("This isn't your collection."))
    _refuse_default(
        collection, _("“%(name)s” is where posts saved without a collection go; it can't be deleted.")
    )
    default = collection_get_or_create(user=user, name=SaveCollection.DEFAULT_NAME)

    def write() -> int:
        if not _delete_exactly_one(SaveCollection, pk=collection.pk, user=user):
            return 0
        moved = Save.objects.filter(collection_id=collection.pk).update(collection=default)
        if moved:
            SaveCollection.objects.filter(pk=default.pk).update(saves_count=F("saves_count") + moved)
        return moved

    return run_in_transaction(write)
