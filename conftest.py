"""Shared fixtures: the database, isolation between tests, and named people.

The people, and what each may see (each is a different account; no test redefines one to
mean someone else):
- ``owner``: the person whose things a test is about; sees everything of theirs.
- ``friend``: the owner's friend; once following the owner (social's ``following``), sees the
  owner's public and followers-only things.
- ``stranger``: no relation to the owner; sees only public things.
- ``blocked``: followed the owner, then the owner blocked them; sees nothing of the owner's.
- ``staff``: a staff superuser; reaches the admin.
- ``business``: a business account; sees the marketplace's listed models, and a model's
  likeness only through an approved consent request.
- ``model``: a human model account (not onboarded: no references, no signed release); sees
  the consent requests made to them and the generations made with their likeness.
"""

import pytest
from celery.result import _set_task_join_will_block
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import translation

from modelsnapper.db import reset_transaction_state
from modelsnapper.testing.factories import PASSWORD, UserFactory
from modelsnapper.testing.isolation import baseline

# Readers of a language (spanish_reader, readers, spanish_catalog) for the i18n tests of every app.
pytest_plugins = ["modelsnapper.testing.i18n"]


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


@pytest.fixture(autouse=True)
def _celery_may_wait_for_results():
    """Celery marks "inside a task" in one process-wide flag while an eager task runs; two
    threads running eager tasks at once (the race tests, the live server) can leave it set,
    and a later test's ``.delay().get()`` would then refuse to wait."""
    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def _each_test_starts_in_english():
    """A request activates its reader's language on the test's thread and nothing turns it off;
    a Spanish page in one test would otherwise translate the next test's service messages."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def _django_db_helper(db):
    """``pytest.mark.django_db`` isolates the way ``db`` does. pytest-django's own helper runs
    a TransactionTestCase, which on this backend flushes every collection after each test:
    seconds per test, against tens of milliseconds for restoring what the test wrote."""
    yield


@pytest.fixture
def transactional_db(db):
    """Same as ``db``: there is no per-test transaction to opt out of here."""
    yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", email="owner@example.com")


@pytest.fixture
def friend(db):
    return UserFactory(username="friend", email="friend@example.com")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger", email="stranger@example.com")


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def blocked(db, owner):
    """Followed the owner once, then the owner blocked them: they see nothing of the owner's."""
    from social import services

    person = UserFactory(username="blocked", email="blocked@example.com")
    services.follow_create(follower=person, following=owner)
    services.block_create(blocker=owner, blocked=person)
    return person


@pytest.fixture
def business(db):
    """A business account, ``bizco`` (no credits, no package: see generation's ``market_business``).

    Its username and email are distinctive so a test can assert they never leak into a page."""
    return UserFactory(username="bizco", email="bizco@example.com", role="business")


@pytest.fixture
def model(db):
    """A human model account, ``mira``, not onboarded yet (see generation's ``signed_model``).

    Its username and email are distinctive so a test can assert they never leak into a page."""
    return UserFactory(username="mira", email="mira@example.com", role="model")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
