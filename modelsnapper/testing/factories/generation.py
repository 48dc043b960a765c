"""The generation catalog, jobs in any status (with outputs), images and consent requests."""

from __future__ import annotations

import factory
from django.utils import timezone

from modelsnapper.testing.factories.accounts import UserFactory


class AIModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "generation.AIModel"

    name = factory.Sequence(lambda n: f"Model {n}")
    slug = factory.Sequence(lambda n: f"model-{n}")
    provider = "local"
    provider_model = factory.Sequence(lambda n: f"acme/model-{n}")
    kind = "text-to-image"
    credit_cost = 2
    default_parameters = factory.LazyFunction(dict)


class AIAvatarFactory(factory.django.DjangoModelFactory):
    """A staff-managed synthetic model (no consent, no royalty)."""

    class Meta:
        model = "generation.AIAvatar"

    name = factory.Sequence(lambda n: f"Avatar {n}")


class ImageFactory(factory.django.DjangoModelFactory):
    """An image record whose file name is set but whose bytes are not stored: for pages and
    queries that read the records. Tests that open the file make it through the real pages."""

    class Meta:
        model = "generation.Image"

    user = factory.SubFactory(UserFactory)
    image_type = "uploaded"
    file = factory.LazyAttribute(lambda o: f"private/{o.user.pk}/images/x.png")
    file_format = "png"
    file_size = 1
    width = 1
    height = 1


class JobFactory(factory.django.DjangoModelFactory):
    """A job written directly, in whatever ``status`` a test names (no charge on the ledger:
    ``credits_charged`` is only the recorded figure). ``outputs=n`` adds n delivered images."""

    class Meta:
        model = "generation.Job"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    ai_model = factory.SubFactory(AIModelFactory)
    prompt = factory.Sequence(lambda n: f"Prompt {n}")
    seed = 1
    status = "completed"
    deadline_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyAttribute(lambda o: o.deadline_at)

    @factory.post_generation
    def outputs(self, create, extracted, **kwargs):
        for index in range(extracted or 0):
            ImageFactory(user=self.user, job=self, output_index=index, image_type="generated", **kwargs)


class ConsentRequestFactory(factory.django.DjangoModelFactory):
    """A consent request written directly (``status`` as given, no event, no notification).

    For the real flow use ``consent_request_create`` and ``consent_approve`` (the ``approved``
    fixture)."""

    class Meta:
        model = "generation.ConsentRequest"

    business = factory.SubFactory(UserFactory, role="business")
    model = factory.SubFactory(UserFactory, role="model")
