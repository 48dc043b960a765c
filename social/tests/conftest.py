import pytest

from social import services


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
