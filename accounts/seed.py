"""Demo accounts: a staff member and demo users in the three roles, each recorded as demo data."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from accounts.models import User
from accounts.services import user_set_role
from modelsnapper.seeding import seed_record

DEMO_PASSWORD = "modelsnapper-demo"
STAFF_USERNAME = "admin"
STAFF_EMAIL = "admin@modelsnapper.local"
ROLES = [User.Role.CREATOR, User.Role.BUSINESS, User.Role.MODEL]


def ensure_user(
    *,
    username: str,
    email: str,
    password: str,
    role: str = User.Role.CREATOR,
    password_hash: str = "",
    **fields,
) -> tuple[User, bool]:
    """The account named ``username``, created with a verified primary e-mail when missing.

    Business and model accounts get their profile through the same service the role
    page uses. Only an account made here is recorded as demo data: one that already
    existed under this name is somebody's, and ``seed_demo --cleanup`` leaves it alone.
    ``password_hash`` (``make_password(password)``) saves hashing the same password again.
    """
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, email=email, **fields)
    user.password = password_hash or make_password(password)
    user.save()
    seed_record(f"user:{username}", user)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    if role != User.Role.CREATOR:
        name = fields.get("full_name") or username
        user_set_role(user=user, role=role, business_name=f"{name} Studio", display_name=name)
    return user, True


def seed_staff(*, password: str) -> tuple[User, bool]:
    return ensure_user(
        username=STAFF_USERNAME,
        email=STAFF_EMAIL,
        password=password,
        full_name="Staff Member",
        is_staff=True,
        is_superuser=True,
    )


def seed_people(*, count: int, password: str, progress=None) -> tuple[list[User], int]:
    """``demo1``…``demo<count>``, roles in turn creator, business, model; (people, how many made)."""
    people, made = [], 0
    # Every demo account has the same, published password: hashing it once instead of once per
    # account saves about a second each (the hasher is slow on purpose).
    password_hash = make_password(password)
    for n in range(1, count + 1):
        user, created = ensure_user(
            username=f"demo{n}",
            email=f"demo{n}@example.com",
            password=password,
            full_name=f"Demo User {n}",
            role=ROLES[(n - 1) % len(ROLES)],
            password_hash=password_hash,
        )
        people.append(user)
        made += created
        if progress is not None:
            progress(n)
    return people, made
