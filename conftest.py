"""Shared fixtures: the database, isolation between tests, and named people.

The people, and what each may see:
- ``owner``: the person whose things a test is about; sees everything of theirs.
- ``friend``: follows the owner; sees the owner's public and followers-only things.
- ``stranger``: no relation to the owner; sees only public things.
- ``staff``: a staff superuser; reaches the admin.
"""

import pytest
from django.core.cache import cache
from django.db import connections

from modelsnapper.db import reset_transaction_state
from modelsnapper.testing.isolation import baseline

PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Production serves hashed static names from a collectstatic manifest; tests skip that step.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        baseline.capture(connections["default"].database)
    yield


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """Database access; afterwards every collection the test wrote to is restored."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            reset_transaction_state()
            baseline.restore(connections["default"].database)
            cache.clear()


@pytest.fixture
def transactional_db(db):
    """Same as ``db``: there is no per-test transaction to opt out of here."""
    yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def owner(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="owner", email="owner@example.com")


@pytest.fixture
def friend(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="friend", email="friend@example.com")


@pytest.fixture
def stranger(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="stranger", email="stranger@example.com")


@pytest.fixture
def staff(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="staff", email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
