"""Turning a test user into a role without going through the role page."""

from __future__ import annotations


def with_role(user, role: str):
    """The user with ``role`` set directly (no profile is made, unlike the role page)."""
    from accounts.models import User  # the project package does not import the apps at load time

    User.objects.filter(pk=user.pk).update(role=role)
    user.role = role
    return user
