"""A job or a training run that ends tells its owner once: ready, or failed with the refund."""

import pytest
from django.urls import reverse

from generation import services, tasks
from generation.models import TrainingRun
from generation.training import personal_model_create
from social.models import Notification

from .helpers import photos
from .helpers import upload_photos as upload


def submit(user, model):
    return services.job_submit(
        user=user, ai_model=model, prompt="a quiet harbour", parameters=services.JobParameters()
    )


def notices(user):
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.GENERATION_COMPLETE))


def test_a_finished_image_notifies_its_owner_once_with_a_link_to_the_job(funded, local_model):
    job = submit(funded, local_model)
    tasks.run_job.delay(str(job.pk))  # a second delivery of the finished job changes nothing

    [notice] = notices(funded)
    assert notice.text == "Your image from “a quiet harbour” is ready."
    assert notice.url == reverse("generation:job", args=[job.pk])


@pytest.mark.parametrize("behaviour", ["fail", "cancel"])
def test_a_failed_image_notifies_once_and_says_the_credits_were_refunded(funded, local_model, behaviour):
    local_model.default_parameters = {"local_behaviour": behaviour}
    local_model.save()

    job = submit(funded, local_model)
    tasks.run_job.delay(str(job.pk))

    [notice] = notices(funded)
    assert "a quiet harbour" in notice.text
    assert notice.text.endswith("Your 2 credits were refunded.")
    assert notice.url == reverse("generation:job", args=[job.pk])


@pytest.fixture
def base(db):
    from generation.models import AIModel, Kind
    from generation.seed import seed_catalog

    seed_catalog()
    AIModel.objects.filter(kind__in=[Kind.TRAINING_BASE, Kind.PERSONAL]).update(provider="local")
    return AIModel.objects.get(kind=Kind.TRAINING_BASE)


def test_a_trained_model_notifies_its_owner_with_a_link_to_it(client, funded, base):
    personal = personal_model_create(user=funded, name="Beach me")
    client.force_login(funded)
    upload(client, photos(10), personal)
    client.post(reverse("generation:my_model_train", args=[personal.pk]))
    assert TrainingRun.objects.get().status == TrainingRun.Status.SUCCEEDED

    [notice] = notices(funded)
    assert notice.text == "Your personal model “Beach me” is trained and ready to use."
    assert notice.url == reverse("generation:my_model", args=[personal.pk])


def test_a_failed_training_notifies_once_and_says_the_credits_were_refunded(client, funded, base, settings):
    settings.GENERATION_TRAINING_COST = 50
    base.default_parameters = {"local_behaviour": "fail"}
    base.save()
    personal = personal_model_create(user=funded, name="Beach me")
    client.force_login(funded)
    upload(client, photos(10), personal)

    client.post(reverse("generation:my_model_train", args=[personal.pk]))
    run = TrainingRun.objects.get()
    services.sweep_stalled_jobs()  # the run has ended: nothing more to say

    assert run.status == TrainingRun.Status.FAILED
    [notice] = notices(funded)
    assert notice.text == "Training your personal model “Beach me” failed. Your 50 credits were refunded."
    assert notice.url == reverse("generation:my_model", args=[personal.pk])
