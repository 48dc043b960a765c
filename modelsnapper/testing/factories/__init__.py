"""Factories for every model tests build: one place, split by app, re-exported here.

Models are named as ``"app_label.Model"`` strings and services are imported when a factory
runs: the project package does not import the apps at load time (see ``modelsnapper.testing``).
Balances only ever change through the billing ledger services, never by writing a wallet.
"""

from modelsnapper.testing.factories.accounts import PASSWORD, ModelProfileFactory, UserFactory
from modelsnapper.testing.factories.billing import PackageFactory, PlanFactory, SubscriptionFactory, fund
from modelsnapper.testing.factories.generation import (
    AIAvatarFactory,
    AIModelFactory,
    ConsentRequestFactory,
    ImageFactory,
    JobFactory,
)
from modelsnapper.testing.factories.social import ArticleFactory, PostFactory, group_with_members

__all__ = [
    "PASSWORD",
    "AIAvatarFactory",
    "AIModelFactory",
    "ArticleFactory",
    "ConsentRequestFactory",
    "ImageFactory",
    "JobFactory",
    "ModelProfileFactory",
    "PackageFactory",
    "PlanFactory",
    "PostFactory",
    "SubscriptionFactory",
    "UserFactory",
    "fund",
    "group_with_members",
]
