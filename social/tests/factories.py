import factory

from accounts.tests.factories import UserFactory
from social.models import Post


class PostFactory(factory.django.DjangoModelFactory):
    """A published public text post; use ``social.services.post_create`` when counters matter."""

    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    category = Post.Category.TEXT
    caption = factory.Sequence(lambda n: f"Post number {n}")
    visibility = Post.Visibility.PUBLIC
    status = Post.Status.PUBLISHED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        post = model_class(*args, **kwargs)
        post.compute_flags()
        post.save()
        return post
