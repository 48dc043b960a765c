import pytest

from modelsnapper.testing.factories import PostFactory
from social import services


@pytest.fixture
def following(db, owner, friend):
    """The friend follows the owner (as the shared fixtures describe)."""
    services.follow_create(follower=friend, following=owner)


@pytest.fixture
def make_post(owner):
    """Make a post through the services: the owner's published public "hello world" unless told."""

    def make(author=None, **kwargs):
        return PostFactory(author=author or owner, **{"caption": "hello world", **kwargs})

    return make
