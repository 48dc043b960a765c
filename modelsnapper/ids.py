"""Turning ids from URLs and forms into ObjectIds: a malformed id names nothing."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from django.http import Http404


def parse_object_id(value: Any) -> ObjectId | None:
    """The ObjectId ``value`` spells, or None when it is not one."""
    if isinstance(value, ObjectId):
        return value
    try:
        return ObjectId(str(value))
    except (InvalidId, TypeError):
        return None


def object_id_or_404(value: Any, message: str = "No such item.") -> ObjectId:
    """The ObjectId ``value`` spells; a malformed id is a 404, like an unknown one."""
    oid = parse_object_id(value)
    if oid is None:
        raise Http404(message)
    return oid
