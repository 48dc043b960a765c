"""Saved posts and their collections."""

from __future__ import annotations

from django.db import IntegrityError
from django.db.models import F

from social import selectors
from social.models import Post, Save, SaveCollection
from social.services.counters import _dec, _delete_exactly_one
from social.services.errors import SocialError


def collection_get_or_create(*, user, name: str) -> SaveCollection:
    name = (name or "").strip() or SaveCollection.DEFAULT_NAME
    if len(name) > 60:
        raise SocialError("Collection names are limited to 60 characters.", field="collection")
    existing = SaveCollection.objects.filter(user=user, name=name).first()
    if existing:
        return existing
    try:
        return SaveCollection.objects.create(user=user, name=name)
    except IntegrityError:
        return SaveCollection.objects.get(user=user, name=name)


def save_create(*, user, post: Post, collection_name: str = "", notes: str = "") -> Save:
    if not selectors.can_view_post(user, post):
        raise SocialError("You can't save this post.")
    if len(notes or "") > 500:
        raise SocialError("Notes are limited to 500 characters.", field="notes")
    collection = collection_get_or_create(user=user, name=collection_name)
    try:
        save = Save.objects.create(user=user, post=post, collection=collection, notes=notes or "")
    except IntegrityError:
        raise SocialError("You already saved this post.") from None
    Post.objects.filter(pk=post.pk).update(saves_count=F("saves_count") + 1)
    SaveCollection.objects.filter(pk=collection.pk).update(saves_count=F("saves_count") + 1)
    return save


def save_delete(*, user, post: Post) -> bool:
    save = Save.objects.filter(user=user, post=post).first()
    if save is None:
        return False
    if not _delete_exactly_one(Save, pk=save.pk):
        return False
    _dec(Post, post.pk, "saves_count")
    _dec(SaveCollection, save.collection_id, "saves_count")
    return True
