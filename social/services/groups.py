"""Groups and memberships; members_count and admins_count move with the membership writes."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from modelsnapper.db import run_in_transaction
from modelsnapper.picture_sources import picture_variants_store
from modelsnapper.sentences import Sentence
from social import selectors
from social.models import Group, GroupMembership, Notification
from social.notification_text import INVITED
from social.services.counters import _dec
from social.services.errors import SocialError
from social.services.group_activity import group_activity_forget
from social.services.notifications import notification_create
from social.services.posts import _as_file
from social.services.text import blocklist_check, normalise_tags

GROUP_SLUG_ATTEMPTS = 5
_SLUG_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _group_slug(name: str) -> str:
    """The name's slug plus a random suffix, for every group.

    Never derived from which slugs are taken: "-2" would tell the creator that a group they
    cannot see (a secret one) already has the name. 36⁶ suffixes make a collision rare; the
    unique index catches one and the caller draws again.
    """
    suffix = "".join(secrets.choice(_SLUG_SUFFIX_ALPHABET) for _position in range(6))
    return f"{slugify(name)[:100] or 'group'}-{suffix}"


def _checked_fields(*, name: str, description: str, visibility: str, category: str, tags) -> tuple[str, list]:
    """The rules for a group's own fields, on create and on edit: the clean name and tags."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise SocialError(_("Give the group a name of at most 100 characters."), field="name")
    if len(description or "") > 1000:
        raise SocialError(_("Descriptions are limited to 1000 characters."), field="description")
    if visibility not in Group.Visibility.values:
        raise SocialError(_("Choose public, private or secret."), field="visibility")
    if category not in Group.Category.values:
        raise SocialError(_("Choose a category."), field="category")
    blocklist_check(name, field="name")
    blocklist_check(description, field="description")
    return name, normalise_tags(tags)


def _require_admin(*, user, group: Group) -> None:
    if not GroupMembership.objects.filter(
        group=group, user=user, role=GroupMembership.Role.ADMIN, status=GroupMembership.Status.ACTIVE
    ).exists():
        raise SocialError(_("Only the group's admins can change it."))


def group_update(
    *,
    user,
    group: Group,
    name: str,
    description: str,
    visibility: str,
    join_approval_required: bool,
    category: str,
    tags=None,
) -> Group:
    """An admin edits the group's own fields (only those: its counters are never written here)."""
    _require_admin(user=user, group=group)
    name, tags = _checked_fields(
        name=name, description=description, visibility=visibility, category=category, tags=tags
    )
    group.name, group.description, group.visibility = name, description or "", visibility
    group.join_approval_required, group.category, group.tags = join_approval_required, category, tags
    group.save(
        update_fields=[
            "name",
            "description",
            "visibility",
            "join_approval_required",
            "category",
            "tags",
            "search_terms",  # social.search recomputes them from the name and description
        ]
    )
    return group


def group_deactivate(*, user, group: Group) -> bool:
    """An admin deactivates the group: it leaves discovery and its pages; members see a notice
    in their groups list. True for the request that changed it."""
    _require_admin(user=user, group=group)
    return Group.objects.filter(pk=group.pk, is_active=True).update(is_active=False) == 1


def group_create(
    *,
    creator,
    name: str,
    description: str = "",
    visibility: str = "public",
    join_approval_required: bool = False,
    category: str = "General",
    tags=None,
    avatar=None,
    cover_image=None,
) -> Group:
    name, tags = _checked_fields(
        name=name, description=description, visibility=visibility, category=category, tags=tags
    )

    def create(slug: str) -> Group:
        group = Group.objects.create(
            name=name,
            slug=slug,
            description=description or "",
            creator=creator,
            visibility=visibility,
            join_approval_required=join_approval_required,
            category=category,
            tags=tags,
            members_count=1,
            admins_count=1,
        )
        GroupMembership.objects.create(
            group=group,
            user=creator,
            role=GroupMembership.Role.ADMIN,
            status=GroupMembership.Status.ACTIVE,
            joined_at=timezone.now(),
        )
        return group

    # The group and its admin in one transaction: never a group nobody can manage.
    for attempt in range(GROUP_SLUG_ATTEMPTS):
        slug = _group_slug(name)
        try:
            group = run_in_transaction(lambda slug=slug: create(slug))
            break
        except IntegrityError:  # the random suffix collided (unique slug index): draw again
            if attempt == GROUP_SLUG_ATTEMPTS - 1:
                raise
    for field_name, upload in (("avatar", avatar), ("cover_image", cover_image)):
        if upload is not None:
            getattr(group, field_name).save(Path(upload.name).name, _as_file(upload), save=False)
            Group.objects.filter(pk=group.pk).update(**{field_name: getattr(group, field_name).name})
            picture_variants_store(obj=group, role="cover" if field_name == "cover_image" else "avatar")
    return group


def group_join(*, user, group: Group) -> GroupMembership:
    """Public groups: join at once (or ask, when approval is on). Private: ask. Secret: invitation only."""
    existing = GroupMembership.objects.filter(group=group, user=user).first()
    if existing is not None:
        if existing.status == GroupMembership.Status.INVITED:
            _membership_activate(existing, from_status=GroupMembership.Status.INVITED)
            existing.refresh_from_db()
            return existing
        if existing.status == GroupMembership.Status.ACTIVE:
            raise SocialError(_("You are already a member."))
        raise SocialError(_("Your request to join is waiting for approval."))
    if group.visibility == Group.Visibility.SECRET:
        raise SocialError(_("This group is invitation only."))
    needs_approval = group.visibility == Group.Visibility.PRIVATE or group.join_approval_required
    status = GroupMembership.Status.PENDING if needs_approval else GroupMembership.Status.ACTIVE

    def create() -> GroupMembership:
        # One transaction: a failure on the count leaves no member nobody counted.
        created = GroupMembership.objects.create(
            group=group, user=user, status=status, joined_at=None if needs_approval else timezone.now()
        )
        if not needs_approval:
            Group.objects.filter(pk=group.pk).update(members_count=F("members_count") + 1)
        return created

    try:
        return run_in_transaction(create)
    except IntegrityError:
        raise SocialError(_("You already asked to join or are a member.")) from None


def _membership_activate(membership: GroupMembership, *, from_status: str) -> bool:
    """An invitation accepted or a request approved: the membership turns active and
    members_count moves in one transaction; True only for the request whose update matched."""

    def activate() -> bool:
        changed = GroupMembership.objects.filter(pk=membership.pk, status=from_status).update(
            status=GroupMembership.Status.ACTIVE, joined_at=timezone.now()
        )
        if changed != 1:
            return False
        Group.objects.filter(pk=membership.group_id).update(members_count=F("members_count") + 1)
        return True

    return run_in_transaction(activate)


def _manager(by, group: Group) -> GroupMembership:
    membership = GroupMembership.objects.filter(group=group, user=by).first()
    if membership is None or not membership.can_manage:
        raise SocialError(_("Only the group's admins and moderators can do that."))
    return membership


def _admin_seat_release(group_id, refusal: str) -> None:
    """One admin fewer, refused when it is the last one. Call inside the transaction that
    changes the admin's membership: the conditional update is the guard, so of two admins
    stepping down at once the second sees a count of 1 and is refused."""
    if Group.objects.filter(pk=group_id, admins_count__gt=1).update(admins_count=F("admins_count") - 1) != 1:
        raise SocialError(refusal)


def _membership_end(membership: GroupMembership, *, refusal: str) -> bool:
    """Delete a membership with members_count and admins_count in one transaction.

    The delete matches the role and status read before, so a membership that changed
    meanwhile is left alone (False) rather than counted with stale values.
    """

    def end() -> bool:
        deleted, _count = GroupMembership.objects.filter(
            pk=membership.pk, role=membership.role, status=membership.status
        ).delete()
        if not deleted:
            return False
        group_activity_forget(group_id=membership.group_id, user_id=membership.user_id)
        if membership.is_active:
            if membership.role == GroupMembership.Role.ADMIN:
                _admin_seat_release(membership.group_id, refusal)
            _dec(Group, membership.group_id, "members_count")
        return True

    return run_in_transaction(end)


def group_leave(*, user, group: Group) -> None:
    membership = GroupMembership.objects.filter(group=group, user=user).first()
    if membership is None:
        raise SocialError(_("You are not a member."))
    if not _membership_end(
        membership, refusal=_("You are the only admin: make another member admin before leaving.")
    ):
        raise SocialError(_("Your membership just changed; please try again."))


def group_approve(*, by, membership: GroupMembership) -> None:
    _manager(by, membership.group)
    if not _membership_activate(membership, from_status=GroupMembership.Status.PENDING):
        raise SocialError(_("That request was already handled."))


def group_remove_member(*, by, membership: GroupMembership) -> None:
    """Remove a member or refuse a request. Only admins remove admins or moderators."""
    manager = _manager(by, membership.group)
    if membership.user_id == by.pk:
        raise SocialError(_("Use “Leave” to leave the group."))
    if membership.role != GroupMembership.Role.MEMBER and manager.role != GroupMembership.Role.ADMIN:
        raise SocialError(_("Only admins can remove admins and moderators."))
    _membership_end(
        membership, refusal=_("A group keeps at least one admin: make another member admin first.")
    )


def group_set_role(*, by, membership: GroupMembership, role: str) -> None:
    manager = _manager(by, membership.group)
    if manager.role != GroupMembership.Role.ADMIN:
        raise SocialError(_("Only admins change roles."))
    if role not in GroupMembership.Role.values or not membership.is_active:
        raise SocialError(_("Choose admin, moderator or member for an active member."))
    admin = GroupMembership.Role.ADMIN
    if role == membership.role:
        return

    def change() -> None:
        # Conditional on the role read above: a concurrent change makes this one a refusal.
        if (
            GroupMembership.objects.filter(
                pk=membership.pk, role=membership.role, status=GroupMembership.Status.ACTIVE
            ).update(role=role)
            != 1
        ):
            raise SocialError(_("That member's role just changed; look again."))
        if membership.role == admin:
            refusal = (
                _("You are the only admin: make another member admin first.")
                if membership.user_id == by.pk
                else _("A group keeps at least one admin: make another member admin first.")
            )
            _admin_seat_release(membership.group_id, refusal)
        elif role == admin:
            Group.objects.filter(pk=membership.group_id).update(admins_count=F("admins_count") + 1)

    run_in_transaction(change)


def group_invite(*, by, group: Group, user) -> GroupMembership:
    _manager(by, group)
    if selectors.is_blocked_between(by, user):
        raise SocialError(_("You can't invite this person."))
    try:
        membership = GroupMembership.objects.create(
            group=group, user=user, status=GroupMembership.Status.INVITED, invited_by=by
        )
    except IntegrityError:
        raise SocialError(
            _("%(username)s is already a member or invited.") % {"username": user.username}
        ) from None
    notification_create(
        recipient=user,
        kind=Notification.Kind.GROUP_INVITE,
        actor=by,
        target_type="group",
        target_id=group.pk,
        text=Sentence(INVITED, {"name": by.username, "rest": group.name}),
        url=group.get_absolute_url(),
    )
    return membership
