"""Posts (with media), groups with members, and articles."""

from __future__ import annotations

import factory

from modelsnapper.testing.factories.accounts import UserFactory
from modelsnapper.testing.media import png_file


class PostFactory(factory.django.DjangoModelFactory):
    """A post made through ``social.services.post_create``, so its counters, tags and stored
    media are what the app writes. Published, public text by default; ``with_media=True``
    makes an image post carrying a real PNG."""

    class Meta:
        model = "social.Post"

    class Params:
        with_media = factory.Trait(category="image-post", media=factory.LazyFunction(png_file))

    author = factory.SubFactory(UserFactory)
    category = "text-post"
    caption = factory.Sequence(lambda n: f"Post number {n}")
    visibility = "public"
    status = "published"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from social import services  # the apps load after the project

        return services.post_create(*args, **kwargs)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "social.Article"

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    body = "Body"
    author = factory.SubFactory(UserFactory, is_staff=True)


def group_with_members(*, creator, members=(), **fields):
    """A group made by ``creator`` and joined by each of ``members``, through the services
    (so membership counters and roles are what the app would have written)."""
    from social import services  # the apps load after the project

    group = services.group_create(creator=creator, **{"name": "Club", **fields})
    for member in members:
        services.group_join(user=member, group=group)
    return group
