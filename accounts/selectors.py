"""Reads for account pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from allauth.usersessions.models import UserSession
from bson import ObjectId
from bson.errors import InvalidId
from django.http import Http404

from accounts.devices import describe_user_agent
from accounts.models import User
from accounts.usernames import username_skeleton


@dataclass(frozen=True)
class SessionRow:
    id: str
    device: str
    ip: str
    started: datetime
    last_seen: datetime
    is_current: bool


def user_get_public(*, username: str) -> User:
    """The person behind ``/u/<username>/``; 404 when unknown, inactive or soft-deleted."""
    # One-key lookup on the unique index; visibility is checked on the row, because
    # a multi-key filter becomes an $and that SecantusDB answers with a full scan.
    person = User.objects.filter(username=username).first()
    if person is None or not person.is_visible:
        raise Http404("No such person.")
    return person


def username_looks_taken(*, username: str, exclude: User | None = None) -> bool:
    """Whether another account's username looks like ``username`` (same skeleton, see accounts.usernames)."""
    others = User.objects.filter(username_skeleton=username_skeleton(username))
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def user_get_for_edit(*, user: User) -> User:
    """A separate, fresh instance of the signed-in user for a form to write on."""
    return User.objects.get(pk=user.pk)


def user_session_list(*, user: User, current_session_key: str | None) -> list[SessionRow]:
    """The user's live sessions, most recently used first (stale rows are purged by allauth)."""
    rows = [
        SessionRow(
            id=str(session.pk),
            device=describe_user_agent(session.user_agent),
            ip=session.ip,
            started=session.created_at,
            last_seen=session.last_seen_at,
            is_current=session.session_key == current_session_key,
        )
        for session in UserSession.objects.purge_and_list(user)
    ]
    rows.sort(key=lambda row: (not row.is_current, -row.last_seen.timestamp()))
    return rows


def user_session_get_for_user(*, user: User, session_id: str) -> UserSession:
    """One of the user's own sessions; anything else (malformed, foreign, gone) is a 404."""
    try:
        pk = ObjectId(session_id)
    except (InvalidId, TypeError):
        raise Http404("No such session.") from None
    try:
        return UserSession.objects.get(pk=pk, user_id=user.pk)
    except UserSession.DoesNotExist:
        raise Http404("No such session.") from None
