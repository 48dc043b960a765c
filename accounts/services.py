"""Writes on accounts: profile, preferences, role, sessions, soft delete.

Views validate a form and call exactly one of these. Every function is
keyword-only and typed; anything that spans documents runs in
:func:`modelsnapper.db.run_in_transaction`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Literal

from allauth.account.internal.flows.logout import logout as allauth_logout
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.internal.flows import sessions as usersessions_flows
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import BusinessProfile, ModelProfile, Preferences, User
from generation.marketplace.onboarding import model_withdraw
from generation.services import user_images_make_private
from modelsnapper.db import run_in_transaction
from modelsnapper.picture_sources import picture_variants_delete, picture_variants_store, variants_field_for
from social import search
from social.services import user_content_hide

logger = logging.getLogger(__name__)

# Which picture (modelsnapper.picture_sources) each profile image field holds.
PICTURE_ROLES = {"avatar": "avatar", "cover_image": "cover"}

PROFILE_FIELDS = (
    "username",
    "full_name",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "locale",
    "bio",
    "website",
    "location",
    "phone",
)

# An image argument is a new file, ``False`` to remove the current one, or ``None`` to keep it.
ImageChange = File | Literal[False] | None


class RoleDetailsMissing(ValueError):
    """A business needs a business name; a model needs a display name."""


def _delete_stored(name: str, *, storage) -> None:
    if not name:
        return
    try:
        storage.delete(name)
    except Exception:  # a leftover file is harmless; a failed profile save is not
        logger.warning("could not delete replaced file %s", name, exc_info=True)


def user_update_profile(
    *,
    user: User,
    data: dict[str, Any],
    avatar: ImageChange = None,
    cover_image: ImageChange = None,
) -> User:
    """Save profile fields and swap images; replaced files are removed from storage.

    New files are stored first and the document saved next, so a failure never
    leaves the profile pointing at a missing file; the old files go last.
    """
    changes = {name: data[name] for name in PROFILE_FIELDS if name in data}
    for name, value in changes.items():
        setattr(user, name, value)

    update_fields = list(changes)
    if set(changes) & search.source_fields(User):
        update_fields.append("search_terms")  # recomputed by the save hook (social.search)
    stored: list[FieldFile] = []
    replaced: list[tuple[FieldFile, str]] = []
    old_variants: dict[str, dict] = {}
    for field_name, change in (("avatar", avatar), ("cover_image", cover_image)):
        if change is None:
            continue
        field_file: FieldFile = getattr(user, field_name)
        old_name = field_file.name or ""
        # The old picture's variants go with it; the new one's are made once it is saved.
        variants_field = variants_field_for(user, PICTURE_ROLES[field_name])
        old_variants[field_name] = getattr(user, variants_field)
        setattr(user, variants_field, {})
        update_fields.append(variants_field)
        if change is False:
            setattr(user, field_name, "")
            field_file = getattr(user, field_name)
        else:
            field_file.save(change.name, change, save=False)
            stored.append(field_file)
        update_fields.append(field_name)
        if old_name:
            replaced.append((field_file, old_name))

    try:
        user.save(update_fields=update_fields or None)
    except Exception:
        for field_file in stored:
            _delete_stored(field_file.name, storage=field_file.storage)
        raise
    for field_file in stored:
        picture_variants_store(obj=user, role=PICTURE_ROLES[field_file.field.name])
    for field_file, old_name in replaced:
        if old_name != field_file.name:
            _delete_stored(old_name, storage=field_file.storage)
    for field_name, old in old_variants.items():
        keep = getattr(user, variants_field_for(user, PICTURE_ROLES[field_name]))
        picture_variants_delete(old, storage=getattr(user, field_name).storage, keep=[keep])
    return user


def user_update_preferences(
    *,
    user: User,
    dark_mode: bool,
    email_notifications: bool,
    push_notifications: bool,
    language: str,
) -> User:
    user.preferences = Preferences(
        dark_mode=dark_mode,
        email_notifications=email_notifications,
        push_notifications=push_notifications,
        language=language,
    )
    user.save(update_fields=["preferences"])
    return user


def user_set_role(
    *,
    user: User,
    role: str,
    business_name: str = "",
    display_name: str = "",
) -> User:
    """Switch role; business and model roles get (or update) their profile in the same transaction.

    Switching away keeps the old profile: invoices, Stripe customers and
    consent records still point at it. A model who switches away leaves the
    marketplace as withdrawing does (listing hidden, consents revoked and kept as
    history, jobs in flight canceled and refunded); the role written first already
    makes the marketplace rule refuse them, so a withdrawal that stops half-way
    leaves nothing usable.
    """
    if role == User.Role.BUSINESS and not business_name.strip():
        raise RoleDetailsMissing("A business needs a business name.")
    if role == User.Role.MODEL and not display_name.strip():
        raise RoleDetailsMissing("A model needs a display name.")

    def write() -> None:
        User.objects.filter(pk=user.pk).update(role=role)
        if role == User.Role.BUSINESS:
            BusinessProfile.objects.update_or_create(
                user=user, defaults={"business_name": business_name.strip()}
            )
        elif role == User.Role.MODEL:
            ModelProfile.objects.update_or_create(user=user, defaults={"display_name": display_name.strip()})

    leaves_marketplace = user.role == User.Role.MODEL and role != User.Role.MODEL
    run_in_transaction(write)
    user.role = role
    if leaves_marketplace:
        model_withdraw(
            user=user, note=gettext_noop("The model left the marketplace (no longer a model account).")
        )
    return user


def user_set_verified(*, user: User, verified: bool, staff_user: User) -> bool:
    """Grant or take away ``user``'s verified badge; True when it changed.

    Staff only. The change is recorded in the admin's history of the person (LogEntry), as
    an edit of the field in the admin form is, whichever path made it.
    """
    if not getattr(staff_user, "is_staff", False):
        raise PermissionDenied("Only staff can verify people.")
    changed = User.objects.filter(pk=user.pk).exclude(is_verified=verified).update(is_verified=verified)
    user.is_verified = verified
    if changed:
        LogEntry.objects.log_actions(
            user_id=staff_user.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message="Verified" if verified else "Removed the verified badge",
            single_object=True,
        )
    return bool(changed)


def user_session_end(*, request: HttpRequest, sessions: Iterable[UserSession]) -> int:
    """End sessions through allauth (the Django session goes too); logs out if one is the current one."""
    sessions = list(sessions)
    if sessions:
        usersessions_flows.end_sessions(request, sessions)
    return len(sessions)


def user_sessions_end_others(*, request: HttpRequest, user: User) -> int:
    others = [
        session
        for session in UserSession.objects.filter(user_id=user.pk)
        if session.session_key != request.session.session_key
    ]
    return user_session_end(request=request, sessions=others)


def user_soft_delete(*, user: User, request: HttpRequest | None = None) -> User:
    """Close the account but keep its data: it can no longer sign in or be seen.

    The user document is the commit point (one conditional update, no
    transaction needed). Everything public goes next, each app through its own
    service: posts, comments, stories, follows and group memberships (social),
    public images (generation), the marketplace listing and consents (whatever the
    current role: a former model may still have a profile). Every step only touches
    what is still shown, so running this again finishes a deletion that stopped
    half-way; meanwhile ``can_view_post`` refuses posts of a deleted author.
    Tearing sessions down is idempotent, and ``ActiveUserMiddleware`` signs out any
    session this misses on its next request.
    """
    now = timezone.now()
    User.objects.filter(pk=user.pk, deleted_at=None).update(deleted_at=now, is_active=False)
    user.refresh_from_db(fields=["deleted_at", "is_active"])
    user_content_hide(user=user)
    user_images_make_private(user=user)
    model_withdraw(user=user)

    get_usersessions_adapter().end_sessions(list(UserSession.objects.filter(user_id=user.pk)))
    if request is not None:
        allauth_logout(request, show_message=False)
    return user
