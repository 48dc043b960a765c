"""Several personal models per person (seed 000 ``Users.models``): each named, with its own photos,
training runs and version; picked by name on the create page; renamed; deleted one at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from billing.models import LedgerEntry
from generation.models import AIModel, Job, Kind, PersonalModel, TrainingPhoto, TrainingRun
from generation.seed import seed_catalog
from generation.training import TrainingError, personal_model_create
from modelsnapper.testing.money import balance
from modelsnapper.testing.threads import closes_connections

from .helpers import photos
from .helpers import upload_photos as upload


@pytest.fixture
def base(db):
    seed_catalog()
    AIModel.objects.filter(kind__in=[Kind.TRAINING_BASE, Kind.PERSONAL]).update(provider="local")
    return AIModel.objects.get(kind=Kind.TRAINING_BASE)


def trained(client, user, name: str) -> PersonalModel:
    """A model of ``user`` (signed in on ``client``) made through the pages: named, ten photos, trained."""
    response = client.post(reverse("generation:my_model_new"), {"name": name})
    personal = PersonalModel.objects.get(user=user, name=name)
    assert response["Location"] == reverse("generation:my_model", args=[personal.pk])
    upload(client, photos(10), personal)
    client.post(reverse("generation:my_model_train", args=[personal.pk]))
    personal.refresh_from_db()
    assert personal.status == PersonalModel.Status.READY
    return personal


def generate_with(client, value: str):
    return client.post(
        "/generate/",
        {
            "prompt": "me, hiking",
            "model": value,
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "1",
        },
    )


def test_two_models_train_from_their_own_photos_and_the_create_page_offers_each_by_name(
    client, funded, base, settings
):
    settings.GENERATION_TRAINING_COST = 5
    client.force_login(funded)
    before = balance(funded)

    studio = trained(client, funded, "Studio")
    outdoors = trained(client, funded, "Outdoors")

    assert studio.version != outdoors.version
    assert TrainingPhoto.objects.filter(personal_model=studio).count() == 10
    assert TrainingPhoto.objects.filter(personal_model=outdoors).count() == 10
    assert {run.personal_model_id: run.model_name for run in TrainingRun.objects.filter(user=funded)} == {
        studio.pk: "Studio",
        outdoors.pk: "Outdoors",
    }
    assert balance(funded) == before - 10
    page = client.get("/generate/").content.decode()
    assert f'value="my-model:{studio.pk}"' in page and "Studio (my model)" in page
    assert f'value="my-model:{outdoors.pk}"' in page and "Outdoors (my model)" in page
    listing = client.get(reverse("generation:my_models")).content.decode()
    assert "Studio" in listing and "Outdoors" in listing

    generate_with(client, f"my-model:{outdoors.pk}")

    job = Job.objects.get(user=funded)
    assert job.kind == Kind.PERSONAL and job.personal_model_id == outdoors.pk
    assert job.status == Job.Status.COMPLETED
    assert "Outdoors" in client.get(reverse("generation:job", args=[job.pk])).content.decode()


def test_retraining_one_model_replaces_its_version_only(client, funded, base, settings):
    settings.GENERATION_TRAINING_COST = 5
    client.force_login(funded)
    studio = trained(client, funded, "Studio")
    outdoors = trained(client, funded, "Outdoors")

    client.post(reverse("generation:my_model_train", args=[studio.pk]))

    retrained, untouched = PersonalModel.objects.get(pk=studio.pk), PersonalModel.objects.get(pk=outdoors.pk)
    assert retrained.version and retrained.version != studio.version
    assert (untouched.version, untouched.weights, untouched.status) == (
        outdoors.version,
        outdoors.weights,
        PersonalModel.Status.READY,
    )
    assert TrainingRun.objects.filter(personal_model=studio, status=TrainingRun.Status.SUCCEEDED).count() == 2


def test_a_failed_retraining_keeps_the_model_usable_with_its_last_version(client, funded, base, settings):
    settings.GENERATION_TRAINING_COST = 5
    client.force_login(funded)
    studio = trained(client, funded, "Studio")
    base.default_parameters = {"local_behaviour": "fail"}
    base.save()
    before = balance(funded)

    client.post(reverse("generation:my_model_train", args=[studio.pk]))

    after = PersonalModel.objects.get(pk=studio.pk)
    assert after.version == studio.version and after.status == PersonalModel.Status.READY
    assert after.last_error == "Training failed. Your credits were refunded."
    assert balance(funded) == before
    assert f'value="my-model:{studio.pk}"' in client.get("/generate/").content.decode()


def test_a_name_is_required_at_most_sixty_characters_and_unique_among_mine(client, funded, stranger, base):
    client.force_login(funded)
    new = reverse("generation:my_model_new")

    assert "Give your model a name." in client.post(new, {"name": "   "}).content.decode()
    too_long = client.post(new, {"name": "x" * 61})
    assert too_long.status_code == 400
    assert "A name can be at most 60 characters; this one has 61." in too_long.content.decode()
    assert client.post(new, {"name": "  Beach   days "}).status_code == 302
    taken = client.post(new, {"name": "beach DAYS"})

    assert taken.status_code == 400
    assert "You already have a model named “beach DAYS”. Pick another name." in taken.content.decode()
    assert list(PersonalModel.objects.filter(user=funded).values_list("name", flat=True)) == ["Beach days"]
    # Someone else may use the same name.
    assert personal_model_create(user=stranger, name="Beach days").name == "Beach days"


def test_renaming_changes_the_name_and_refuses_one_i_already_use(client, funded, base):
    beach, city = (personal_model_create(user=funded, name=name) for name in ("Beach", "City"))
    client.force_login(funded)
    rename = reverse("generation:my_model_rename", args=[beach.pk])
    assert 'value="Beach"' in client.get(rename).content.decode()

    refused = client.post(rename, {"name": "CITY"})

    assert refused.status_code == 400
    assert "You already have a model named “CITY”." in refused.content.decode()
    assert PersonalModel.objects.get(pk=beach.pk).name == "Beach"
    assert client.post(rename, {"name": "Seaside"}).status_code == 302
    assert PersonalModel.objects.get(pk=beach.pk).name == "Seaside"
    assert PersonalModel.objects.get(pk=city.pk).name == "City"


def test_the_limit_of_models_is_refused_with_a_sentence(client, funded, base, settings):
    settings.GENERATION_PERSONAL_MODELS_MAX = 2
    client.force_login(funded)
    personal_model_create(user=funded, name="One")
    personal_model_create(user=funded, name="Two")

    refused = client.post(reverse("generation:my_model_new"), {"name": "Three"})

    assert refused.status_code == 400
    assert (
        "You can keep at most 2 personal models. Delete one to make room for another."
        in refused.content.decode()
    )
    assert PersonalModel.objects.filter(user=funded).count() == 2
    assert "the most you can keep" in client.get(reverse("generation:my_models")).content.decode()


def test_concurrent_new_models_never_pass_the_limit(funded, settings):
    settings.GENERATION_PERSONAL_MODELS_MAX = 3
    personal_model_create(user=funded, name="Existing")

    @closes_connections
    def create(n: int) -> str:
        try:
            return personal_model_create(user=funded, name=f"Racer {n}").name
        except TrainingError as exc:
            return str(exc)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(create, range(8)))

    assert sum(answer.startswith("Racer") for answer in answers) == 2
    assert answers.count("You can keep at most 3 personal models. Delete one to make room for another.") == 6
    live = PersonalModel.objects.live().filter(user=funded)
    assert sorted(live.values_list("slot", flat=True)) == [1, 2, 3]


def test_concurrent_new_models_with_one_name_make_one(funded):
    @closes_connections
    def create(_: int) -> str:
        try:
            return str(personal_model_create(user=funded, name="Twin").pk)
        except TrainingError as exc:
            return str(exc)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(create, range(6)))

    assert answers.count("You already have a model named “Twin”. Pick another name.") == 5
    assert PersonalModel.objects.filter(user=funded).count() == 1


def test_deleting_one_model_asks_first_keeps_the_other_and_its_jobs_say_a_deleted_model(
    client, funded, base, settings
):
    settings.GENERATION_TRAINING_COST = 5
    client.force_login(funded)
    studio = trained(client, funded, "Studio")
    outdoors = trained(client, funded, "Outdoors")
    generate_with(client, f"my-model:{studio.pk}")
    job = Job.objects.get(user=funded)
    delete_url = reverse("generation:my_model_delete", args=[studio.pk])
    assert (
        f'href="{delete_url}"'
        in client.get(reverse("generation:my_model", args=[studio.pk])).content.decode()
    )

    confirm = client.get(delete_url).content.decode()

    assert "Delete “Studio” and its photos?" in confirm and "all 10 training photos" in confirm
    assert "The 1 image job you made with it stays in your library" in confirm
    assert PersonalModel.objects.live().filter(pk=studio.pk).exists()

    response = client.post(delete_url, follow=True)

    assert "“Studio” is deleted. Deleted 10 photos from storage." in response.content.decode()
    deleted = PersonalModel.objects.get(pk=studio.pk)
    assert deleted.is_deleted and not deleted.version and (deleted.slot, deleted.name_key) == (0, "")
    assert not TrainingPhoto.objects.filter(personal_model=studio).exists()
    kept = PersonalModel.objects.get(pk=outdoors.pk)
    assert kept.is_usable and TrainingPhoto.objects.filter(personal_model=outdoors).count() == 10
    page = client.get("/generate/").content.decode()
    assert f"my-model:{studio.pk}" not in page and f'value="my-model:{outdoors.pk}"' in page
    # The job and its picture stay, and say what made them without naming the deleted model.
    job_page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "A deleted personal model" in job_page and "Studio" not in job_page
    assert Job.objects.get(pk=job.pk).status == Job.Status.COMPLETED
    assert client.get(reverse("generation:my_model", args=[studio.pk])).status_code == 404
    assert generate_with(client, f"my-model:{studio.pk}").status_code == 400
    # Its name and its slot are free again.
    assert (studio.slot, kept.slot) == (1, 2)
    assert personal_model_create(user=funded, name="Studio").slot == 1


def test_a_model_in_training_cannot_be_deleted(client, funded, base, settings):
    settings.GENERATION_TRAINING_COST = 5
    base.default_parameters = {"local_behaviour": "hang"}
    base.save()
    personal = personal_model_create(user=funded, name="Slow")
    client.force_login(funded)
    upload(client, photos(10), personal)
    client.post(reverse("generation:my_model_train", args=[personal.pk]))

    response = client.post(reverse("generation:my_model_delete", args=[personal.pk]), follow=True)

    assert "This model is training. You can delete it once the training ends." in response.content.decode()
    assert PersonalModel.objects.get(pk=personal.pk).status == PersonalModel.Status.TRAINING
    assert TrainingPhoto.objects.filter(personal_model=personal).count() == 10


def test_training_a_model_deleted_meanwhile_charges_nothing(funded, base):
    from generation.training import personal_model_delete, training_start

    personal = personal_model_create(user=funded, name="Gone")
    stale = PersonalModel.objects.get(pk=personal.pk)
    personal_model_delete(personal=personal)
    before = balance(funded)

    with pytest.raises(TrainingError):
        training_start(user=funded, personal=stale, base_model=base)

    assert not TrainingRun.objects.exists() and balance(funded) == before
    assert not LedgerEntry.objects.filter(user_id=funded.pk, entry_type=LedgerEntry.Type.USAGE).exists()


def test_someone_elses_model_is_not_found_anywhere(client, funded, stranger, base):
    personal = personal_model_create(user=funded, name="Mine")
    client.force_login(stranger)

    for name in ("my_model", "my_model_rename", "my_model_delete"):
        assert client.get(reverse(f"generation:{name}", args=[personal.pk])).status_code == 404
    for name in ("my_model_train", "my_model_photos", "my_model_rename", "my_model_delete"):
        assert (
            client.post(reverse(f"generation:{name}", args=[personal.pk]), {"name": "Taken"}).status_code
            == 404
        )
    assert client.get(reverse("generation:my_model", args=["not-an-id"])).status_code == 404
    assert (
        PersonalModel.objects.get(pk=personal.pk).name == "Mine"
        and not PersonalModel.objects.get(pk=personal.pk).is_deleted
    )


def test_the_old_my_model_address_leads_to_the_list(client, funded):
    client.force_login(funded)
    response = client.get("/generation/my-model/")
    assert response.status_code == 302 and response["Location"] == reverse("generation:my_models")


def test_the_migration_makes_an_existing_model_the_first_named_one_and_hides_empty_rows(
    funded, stranger, base
):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("generation.migrations.0015_personal_models")
    # Rows as the one-model code left them: no name key, no slot, photos and runs on the user only.
    trained_row = PersonalModel.objects.create(user=funded, status="ready", version="local-1", photo_count=2)
    empty_row = PersonalModel.objects.create(user=stranger)
    photo = TrainingPhoto.objects.create(user=funded, file="private/x/training/a.png", filename="a.png")

    migration.first_models(apps, None)

    first = PersonalModel.objects.get(pk=trained_row.pk)
    assert (first.name, first.name_key, first.slot, first.deleted_at) == ("My model", "my model", 1, None)
    assert TrainingPhoto.objects.get(pk=photo.pk).personal_model_id == first.pk
    hidden = PersonalModel.objects.get(pk=empty_row.pk)
    assert hidden.is_deleted and hidden.slot == 0
    # The first model's name and slot are taken like any other's.
    with pytest.raises(TrainingError, match="already have a model named"):
        personal_model_create(user=funded, name="my model")
    assert personal_model_create(user=funded, name="Second").slot == 2


def test_seeding_gives_a_person_two_trained_models_once(funded, base):
    from generation.seed import seed_personal_models

    made = seed_personal_models(user=funded)
    again = seed_personal_models(user=funded)

    assert [personal.pk for personal in again] == [personal.pk for personal in made]
    assert [personal.name for personal in made] == ["Studio portraits", "Outdoors"]
    assert all(PersonalModel.objects.get(pk=personal.pk).is_usable for personal in made)
    assert PersonalModel.objects.filter(user=funded).count() == 2


def test_a_queued_job_of_a_model_deleted_meanwhile_fails_refunded_instead_of_using_the_base_model(
    funded, replicate_stub
):
    from generation.running import job_run
    from generation.services import JobParameters, job_submit
    from generation.training import personal_model_delete
    from modelsnapper.testing.factories import AIModelFactory

    engine = AIModelFactory(
        slug="my-model", provider="replicate", kind=Kind.PERSONAL, provider_version="base:v0"
    )
    personal = personal_model_create(user=funded, name="Soon gone")
    PersonalModel.objects.filter(pk=personal.pk).update(status="ready", version="modelsnapper/ms-1:v123")
    personal.refresh_from_db()
    before = balance(funded)
    job = job_submit(
        user=funded,
        ai_model=engine,
        prompt="me, sailing",
        parameters=JobParameters(seed=3),
        personal_model=personal,
        queue=False,
    )
    personal_model_delete(personal=personal)

    job_run(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.credits_refunded == job.credits_charged
    assert balance(funded) == before
    assert replicate_stub.creates() == 0


def test_nightly_cleanup_finds_nothing_to_remove_after_models_are_trained_and_one_deleted(
    client, funded, base, settings
):
    """Every file of a model (photos, their variants, the archive sent to training) is named by a
    document while the model lives, and leaves storage with it: a dry run counts no orphan."""
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from generation.cleanup import cleanup_run

    settings.GENERATION_TRAINING_COST = 5
    client.force_login(funded)
    studio = trained(client, funded, "Studio")
    trained(client, funded, "Outdoors")
    archive = TrainingRun.objects.get(personal_model=studio).photos_archive
    assert archive and default_storage.exists(archive)
    days_later = timezone.now() + timedelta(days=40)  # past every grace period
    assert cleanup_run(kinds=["orphaned_files"], dry_run=True, now=days_later).counts == {"orphaned_files": 0}

    client.post(reverse("generation:my_model_delete", args=[studio.pk]))

    assert not default_storage.exists(archive)
    assert cleanup_run(kinds=["orphaned_files"], dry_run=True, now=days_later).counts == {"orphaned_files": 0}
    out = StringIO()
    call_command("cleanup", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "Dry run: nothing was changed.",
        "files of failed or expired generations: would remove 0",
        "orphaned files: would remove 0",
        "stale subscriptions (ended): would remove 0",
        "read notifications past their TTL: would remove 0",
    ]
