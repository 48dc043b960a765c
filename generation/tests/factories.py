import factory

from generation.models import AIModel, Kind


class AIModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AIModel

    name = factory.Sequence(lambda n: f"Model {n}")
    slug = factory.Sequence(lambda n: f"model-{n}")
    provider = "local"
    provider_model = factory.Sequence(lambda n: f"acme/model-{n}")
    kind = Kind.TEXT_TO_IMAGE
    credit_cost = 2
    default_parameters = factory.LazyFunction(dict)
