import factory

from billing.models import Package, Plan


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Package

    name = factory.Sequence(lambda n: f"Pack {n}")
    stripe_price_id = factory.Sequence(lambda n: f"price_test_pack_{n}")
    ai_credits_granted = 50
    price_cents = 500


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("code",)

    code = "plus"
    name = "Plus"
    credits_per_period = 100
    rank = 1
    stripe_price_monthly = "price_plus_monthly"
    stripe_price_yearly = "price_plus_yearly"
    price_monthly_cents = 900
