"""People: a user with a verified address, and a human model's profile."""

import factory
from allauth.account.models import EmailAddress

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """A verified primary address, as after a confirmed sign-up."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class ModelProfileFactory(factory.django.DjangoModelFactory):
    """A human model's profile written directly: no uploads, no release-signing service.

    For a model onboarded the real way use the ``signed_model`` fixture instead.
    """

    class Meta:
        model = "accounts.ModelProfile"

    user = factory.SubFactory(UserFactory, role="model")
    display_name = factory.LazyAttribute(lambda o: o.user.full_name or o.user.username)
