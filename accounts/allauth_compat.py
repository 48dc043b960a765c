"""Make allauth's user-id-in-URL helpers work with ObjectId primary keys.

allauth turns a user's primary key into a URL/session string with
``user_pk_to_url_str`` (login stashing during email verification, password
reset links, WebAuthn handles). It base36-encodes any pk whose field is an
``IntegerField`` subclass, and django-mongodb-backend's ``ObjectIdAutoField``
is one (it inherits ``AutoField``), so ``int(ObjectId(...))`` raises TypeError
and sign-up with mandatory verification crashes. An ObjectId already has a
URL-safe 24-hex-digit string form; we use it both ways.

allauth exposes no setting for this, so the two functions are replaced in the
modules that hold references to them. Remove this module when allauth
recognises non-integer auto fields.
"""

from __future__ import annotations

from bson import ObjectId
from bson.errors import InvalidId

_PATCHED_MODULES = ("allauth.account.utils", "allauth.account.forms", "allauth.mfa.adapter")


def user_pk_to_url_str(user) -> str:
    return str(user.pk)


def url_str_to_user_pk(pk_str: str) -> ObjectId:
    try:
        return ObjectId(pk_str)
    except (InvalidId, TypeError) as exc:
        # allauth's callers treat ValueError as "no such user".
        raise ValueError(f"not a user id: {pk_str!r}") from exc


def install() -> None:
    import importlib

    for module_name in _PATCHED_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, "user_pk_to_url_str"):
            module.user_pk_to_url_str = user_pk_to_url_str
        if hasattr(module, "url_str_to_user_pk"):
            module.url_str_to_user_pk = url_str_to_user_pk
