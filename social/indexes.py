"""A TTL index: MongoDB deletes a document once its date field is older than N seconds."""

from __future__ import annotations

from django.db import models
from pymongo.operations import IndexModel


class TTLIndex(models.Index):
    """``Index(fields=["expires_at"], expire_after_seconds=0)`` → ``expireAfterSeconds``.

    A document whose field is null (or not a date) never expires, which is what
    notifications rely on: ``read_at`` stays null until the notification is read.
    """

    def __init__(self, *args, expire_after_seconds: int, **kwargs):
        self.expire_after_seconds = expire_after_seconds
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["expire_after_seconds"] = self.expire_after_seconds
        return path, args, kwargs

    def get_pymongo_index_model(self, model, schema_editor, field=None, unique=False, column_prefix=""):
        index = super().get_pymongo_index_model(model, schema_editor, field, unique, column_prefix)
        document = dict(index.document)
        keys = list(document.pop("key").items())
        document["expireAfterSeconds"] = self.expire_after_seconds
        return IndexModel(keys, **document)
