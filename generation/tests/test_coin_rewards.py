"""Coins for generation milestones (issue #14 items 12 and 13): the first completed generation
pays a reward once, a failed one pays nothing, and the first trained model grants its badge once."""

import pytest
from django.urls import reverse

from billing.models import Achievement, LedgerEntry
from billing.selectors import ledger_drifts
from billing.services.coins import ACHIEVEMENT_COINS, REWARD_COINS, Reward
from generation import services, tasks
from generation.models import AIModel, Kind, TrainingRun
from generation.seed import seed_catalog
from generation.training import personal_model_create
from social.models import Notification

from .helpers import photos
from .helpers import upload_photos as upload


def _submit(user, model):
    return services.job_submit(
        user=user, ai_model=model, prompt="a quiet harbour", parameters=services.JobParameters()
    )


def test_the_first_completed_generation_pays_its_reward_once(funded, local_model):
    first = _submit(funded, local_model)
    tasks.run_job.delay(str(first.pk))  # a second delivery of the same job
    _submit(funded, local_model)

    [reward] = LedgerEntry.objects.filter(user_id=funded.pk, entry_type=LedgerEntry.Type.COIN_REWARD)
    assert reward.idempotency_key == f"reward:first_generation:{funded.pk}"
    assert reward.amount == REWARD_COINS[Reward.FIRST_GENERATION]
    assert reward.related_id == str(first.pk)
    assert ledger_drifts() == []


def test_a_failed_generation_earns_no_reward(funded, local_model):
    local_model.default_parameters = {"local_behaviour": "fail"}
    local_model.save()

    _submit(funded, local_model)

    assert not LedgerEntry.objects.filter(user_id=funded.pk, entry_type=LedgerEntry.Type.COIN_REWARD).exists()


@pytest.fixture
def base(db):
    seed_catalog()
    AIModel.objects.filter(kind__in=[Kind.TRAINING_BASE, Kind.PERSONAL]).update(provider="local")
    return AIModel.objects.get(kind=Kind.TRAINING_BASE)


def test_the_first_trained_model_grants_its_badge_coins_and_a_notice_once(client, funded, base, settings):
    settings.GENERATION_TRAINING_COST = 5
    first, second = (personal_model_create(user=funded, name=name) for name in ("Me", "Me again"))
    client.force_login(funded)
    upload(client, photos(10), first)
    upload(client, photos(10), second)
    client.post(reverse("generation:my_model_train", args=[first.pk]))
    assert TrainingRun.objects.get(user=funded).status == TrainingRun.Status.SUCCEEDED
    client.post(reverse("generation:my_model_train", args=[first.pk]))  # retraining: no second badge
    client.post(reverse("generation:my_model_train", args=[second.pk]))  # a second model: none either
    assert TrainingRun.objects.filter(user=funded, status=TrainingRun.Status.SUCCEEDED).count() == 3

    assert list(Achievement.objects.filter(user_id=funded.pk).values_list("code", flat=True)) == [
        "first_model"
    ]
    [entry] = LedgerEntry.objects.filter(user_id=funded.pk, entry_type=LedgerEntry.Type.COIN_ACHIEVEMENT)
    assert entry.amount == ACHIEVEMENT_COINS[Achievement.Code.FIRST_MODEL]
    [notice] = Notification.objects.filter(recipient=funded, text__contains="badge")
    assert "First model trained" in notice.text
    assert ledger_drifts() == []
