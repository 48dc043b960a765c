import pytest

from accounts.tests.factories import UserFactory
from social import services


@pytest.fixture
def blocked(db, owner):
    """Followed the owner once, then the owner blocked them: they see nothing of the owner's."""
    person = UserFactory(username="blocked", email="blocked@example.com")
    services.follow_create(follower=person, following=owner)
    services.block_create(blocker=owner, blocked=person)
    return person


@pytest.fixture
def following(db, owner, friend):
    """The friend follows the owner (as the shared fixtures describe)."""
    services.follow_create(follower=friend, following=owner)


@pytest.fixture
def make_post(owner):
    def make(author=None, **kwargs):
        kwargs.setdefault("category", "text-post")
        kwargs.setdefault("caption", "hello world")
        return services.post_create(author=author or owner, **kwargs)

    return make
