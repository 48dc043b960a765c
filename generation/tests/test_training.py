"""Personal model training: photos, a charged run, status, "my model" in the form, deletion."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from generation.models import Job, Kind, PersonalModel, TrainingPhoto, TrainingRun
from generation.seed import seed_catalog
from generation.training import personal_model_create
from modelsnapper.picture_sources import picture_for
from modelsnapper.testing.factories import AIModelFactory
from modelsnapper.testing.money import balance

from .helpers import photos
from .helpers import upload_photos as upload


@pytest.fixture
def base(db):
    seed_catalog()
    from generation.models import AIModel

    AIModel.objects.filter(kind__in=[Kind.TRAINING_BASE, Kind.PERSONAL]).update(provider="local")
    return AIModel.objects.get(kind=Kind.TRAINING_BASE)


@pytest.fixture
def personal(funded):
    """``funded``'s first personal model, named and untrained."""
    return personal_model_create(user=funded, name="Me")


def test_training_from_ten_photos_makes_my_model_available_in_the_form(
    client, funded, base, personal, settings
):
    settings.GENERATION_TRAINING_COST = 50
    client.force_login(funded)
    upload(client, photos(10, exif=True), personal)
    stored = TrainingPhoto.objects.filter(user=funded)
    assert stored.count() == 10
    with stored.first().file.open("rb") as handle:
        assert b"SecretCam" not in handle.read()  # EXIF stripped
    before = balance(funded)

    client.post(reverse("generation:my_model_train", args=[personal.pk]))

    run = TrainingRun.objects.get(user=funded)
    personal = PersonalModel.objects.get(user=funded)
    assert run.status == TrainingRun.Status.SUCCEEDED and run.photo_count == 10
    assert balance(funded) == before - 50
    assert personal.status == PersonalModel.Status.READY and personal.version and personal.weights
    form_page = client.get("/generate/").content.decode()
    assert f'value="my-model:{personal.pk}"' in form_page

    client.post(
        "/generate/",
        {
            "prompt": "me on the moon",
            "model": f"my-model:{personal.pk}",
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "1",
        },
    )
    job = Job.objects.get(user=funded)
    assert job.kind == Kind.PERSONAL and job.personal_model_id == personal.pk
    assert job.status == Job.Status.COMPLETED


def test_training_needs_ten_to_twenty_photos_and_charges_nothing_otherwise(client, funded, base, personal):
    client.force_login(funded)
    upload(client, photos(3), personal)
    before = balance(funded)

    response = client.post(reverse("generation:my_model_train", args=[personal.pk]), follow=True)

    assert "Upload 10–20 photos first; you have 3." in response.content.decode()
    assert not TrainingRun.objects.exists() and balance(funded) == before
    upload(client, photos(18), personal)
    assert TrainingPhoto.objects.filter(user=funded).count() == 3  # 21 would be over the cap


def test_a_bad_photo_is_a_clear_error(client, funded, base, personal):
    client.force_login(funded)
    response = upload(client, [SimpleUploadedFile("x.png", b"nope", content_type="image/png")], personal)
    page = client.get(response["Location"]).content.decode()
    assert "x.png: Upload a JPG, PNG, GIF or WEBP image." in page
    assert not TrainingPhoto.objects.exists()


def test_a_failed_training_is_refunded_once(client, funded, base, personal):
    base.default_parameters = {"local_behaviour": "fail"}
    base.save()
    client.force_login(funded)
    upload(client, photos(10), personal)
    before = balance(funded)

    client.post(reverse("generation:my_model_train", args=[personal.pk]))

    run = TrainingRun.objects.get()
    assert run.status == TrainingRun.Status.FAILED and run.credits_refunded == run.credits_charged
    assert balance(funded) == before
    assert PersonalModel.objects.get(user=funded).status == PersonalModel.Status.FAILED


def test_a_hanging_training_expires_after_two_hours_and_is_refunded(client, funded, base, personal):
    from datetime import timedelta

    from django.utils import timezone

    from generation.services import sweep_stalled_jobs

    base.default_parameters = {"local_behaviour": "hang"}
    base.save()
    client.force_login(funded)
    upload(client, photos(10), personal)
    before = balance(funded)
    client.post(reverse("generation:my_model_train", args=[personal.pk]))
    run = TrainingRun.objects.get()
    assert timedelta(hours=1, minutes=59) < run.deadline_at - run.created_at <= timedelta(hours=2)

    sweep_stalled_jobs(now=timezone.now() + timedelta(hours=1))
    assert TrainingRun.objects.get().status == TrainingRun.Status.PROCESSING
    sweep_stalled_jobs(now=timezone.now() + timedelta(hours=3))
    sweep_stalled_jobs(now=timezone.now() + timedelta(hours=3))

    assert TrainingRun.objects.get().status == TrainingRun.Status.EXPIRED
    assert balance(funded) == before  # charged 50, refunded 50


def test_replicate_training_finishes_by_webhook_and_deleting_my_model_removes_everything(
    client, funded, base, personal, replicate_stub, signed_webhook, settings
):
    settings.REPLICATE_OWNER = "modelsnapper"
    base.provider = "replicate"
    base.save()
    client.force_login(funded)
    upload(client, photos(10), personal)
    names = [photo.file.name for photo in TrainingPhoto.objects.all()]
    client.post(reverse("generation:my_model_train", args=[personal.pk]))
    run = TrainingRun.objects.get()
    training = replicate_stub.trainings[run.training_id]
    assert training["destination"] == f"modelsnapper/ms-{funded.pk}"
    assert "/generation/training/archive/" in training["input"]["input_images"]
    archive = client.get(training["input"]["input_images"].replace(settings.SITE_URL, ""))
    assert archive.status_code == 200 and archive["Content-Disposition"].startswith("attachment")

    training.update(
        status="succeeded", output={"version": "modelsnapper/ms-x:abc123", "weights": "https://w/x.tar"}
    )
    signed_webhook(training, webhook_id="msg_train")

    personal = PersonalModel.objects.get(user=funded)
    assert personal.status == PersonalModel.Status.READY and personal.version == "modelsnapper/ms-x:abc123"

    response = client.post(reverse("generation:my_model_delete", args=[personal.pk]), follow=True)

    body = response.content.decode()
    assert "Deleted 10 photos from storage." in body and "deleted from the provider" in body
    assert not any(default_storage.exists(name) for name in names)
    assert not TrainingPhoto.objects.exists()
    assert ("DELETE", "/v1/models/modelsnapper/ms-x/versions/abc123") in replicate_stub.calls
    deleted = PersonalModel.objects.get(user=funded)
    assert deleted.status == PersonalModel.Status.NONE and deleted.is_deleted and not deleted.version


def test_training_archives_are_not_reachable_without_a_valid_token(client, db):
    assert client.get(reverse("generation:training_archive", args=["forged"])).status_code == 404


def test_seed_catalog_is_idempotent_and_has_the_seeded_kinds(db):
    assert seed_catalog() == 7
    assert seed_catalog() == 0
    from generation.models import AIModel

    slugs = set(AIModel.objects.values_list("slug", flat=True))
    assert {
        "flux-schnell",
        "flux-dev",
        "qwen-image-edit",
        "gemini-flash-image",
        "flux-dev-lora-trainer",
        "catalog-shoot",
    } <= slugs
    assert all(cost > 0 for cost in AIModel.objects.values_list("credit_cost", flat=True))


def test_catalog_factory_is_usable(db):
    assert AIModelFactory().credit_cost > 0


def test_seed_feed_examples_makes_public_examples_once(client, staff):
    from generation.seed import seed_feed_examples
    from generation.selectors import feed_examples

    assert seed_feed_examples(user=staff) == 6
    assert seed_feed_examples(user=staff) == 0
    examples = feed_examples(limit=4)
    assert len(examples) == 4 and all(example.prompt for example in examples)
    assert client.get(examples[0].image_url).status_code == 200  # anonymous visitors see them


def _logged_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_ten_concurrent_training_requests_start_one_run_and_charge_once(
    client, funded, base, personal, settings
):
    from concurrent.futures import ThreadPoolExecutor

    from billing.models import LedgerEntry
    from modelsnapper.testing.threads import closes_connections

    # Cheap enough that the wallet could pay for all ten: only the guard stops the rest.
    settings.GENERATION_TRAINING_COST = 5
    base.default_parameters = {"local_behaviour": "hang"}  # the run stays in progress
    base.save()
    client.force_login(funded)
    upload(client, photos(14), personal)
    before = balance(funded)
    clients = [_logged_in_client(funded) for _ in range(10)]

    @closes_connections
    def train(browser):
        response = browser.post(reverse("generation:my_model_train", args=[personal.pk]), follow=True)
        return response.status_code, response.content.decode()

    with ThreadPoolExecutor(10) as pool:
        answers = [future.result(timeout=120) for future in [pool.submit(train, c) for c in clients]]

    assert [status for status, _ in answers] == [200] * 10
    assert sum("Training started." in body for _, body in answers) == 1
    assert sum("A training run is already in progress." in body for _, body in answers) == 9
    run = TrainingRun.objects.get(user=funded)
    assert run.status in TrainingRun.ACTIVE
    charges = LedgerEntry.objects.filter(user_id=funded.pk, entry_type=LedgerEntry.Type.USAGE)
    assert list(charges.values_list("idempotency_key", flat=True)) == [run.charge_key]
    assert balance(funded) == before - 5


def test_twelve_concurrent_uploads_of_two_photos_never_store_more_than_the_cap(
    client, funded, base, personal
):
    from concurrent.futures import ThreadPoolExecutor

    from modelsnapper.testing.threads import closes_connections

    clients = [_logged_in_client(funded) for _ in range(12)]

    @closes_connections
    def send(browser):
        return upload(browser, photos(2), personal).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = [future.result(timeout=120) for future in [pool.submit(send, c) for c in clients]]

    assert statuses == [302] * 12
    assert TrainingPhoto.objects.filter(user=funded).count() == 20
    assert PersonalModel.objects.get(user=funded).photo_count == 20
    # Deleting frees the room again, exactly.
    client.force_login(funded)
    client.post(reverse("generation:my_model_photo_delete", args=[TrainingPhoto.objects.first().pk]))
    assert PersonalModel.objects.get(user=funded).photo_count == 19
    upload(client, photos(2), personal)  # 21 would be over the cap
    assert TrainingPhoto.objects.filter(user=funded).count() == 19
    upload(client, photos(1), personal)
    assert TrainingPhoto.objects.filter(user=funded).count() == 20
    assert PersonalModel.objects.get(user=funded).photo_count == 20


class Untouchable(SimpleUploadedFile):
    """An upload that fails the test if anything reads its bytes (decoding needs them)."""

    def __init__(self, name, size):
        super().__init__(name, b"", content_type="image/png")
        self.size = size

    def read(self, *args, **kwargs):
        raise AssertionError(f"{self.name} was read")

    def chunks(self, *args, **kwargs):
        raise AssertionError(f"{self.name} was read")

    def open(self, *args, **kwargs):
        raise AssertionError(f"{self.name} was opened")


def photos_form(files, **kwargs):
    from django.utils.datastructures import MultiValueDict

    from generation.forms import PhotosForm

    return PhotosForm({}, MultiValueDict({"photos": files}), **kwargs)


def test_forty_photos_in_one_upload_are_refused_before_any_is_decoded(db):
    form = photos_form([Untouchable(f"big{n}.png", 1000) for n in range(40)])

    assert not form.is_valid()
    assert form.errors["photos"] == ["Choose at most 20 photos; you chose 40."]


def test_a_batch_over_the_total_size_is_refused_before_any_is_decoded(db, settings):
    settings.GENERATION_TRAINING_UPLOAD_MAX_BYTES = 2048
    form = photos_form([Untouchable(f"big{n}.png", 1024) for n in range(3)])

    assert not form.is_valid()
    assert form.errors["photos"] == ["These 3 photos add up to 3 KB; one upload can carry 2 KB at most."]


def test_a_batch_larger_than_the_room_left_is_refused_before_any_is_decoded(client, funded, base, personal):
    form = photos_form([Untouchable(f"x{n}.png", 10) for n in range(3)], room=2)
    assert not form.is_valid()
    assert form.errors["photos"] == ["You can add 2 more photos (20 at most in all); you chose 3."]

    client.force_login(funded)
    upload(client, photos(18), personal)
    response = upload(client, photos(3), personal)

    page = client.get(response["Location"]).content.decode()
    assert "You can add 2 more photos (20 at most in all); you chose 3." in page
    assert TrainingPhoto.objects.filter(user=funded).count() == 18


def test_deleting_my_model_asks_first_and_says_what_is_lost(client, funded, base, personal, settings):
    settings.GENERATION_TRAINING_COST = 50
    client.force_login(funded)
    upload(client, photos(10), personal)
    client.post(reverse("generation:my_model_train", args=[personal.pk]))
    assert PersonalModel.objects.get(user=funded).status == PersonalModel.Status.READY
    delete_url = reverse("generation:my_model_delete", args=[personal.pk])

    my_model_page = client.get(reverse("generation:my_model", args=[personal.pk])).content.decode()
    assert f'href="{delete_url}"' in my_model_page
    assert f'action="{delete_url}"' not in my_model_page  # no one-click delete

    confirm = client.get(delete_url)

    body = confirm.content.decode()
    assert confirm.status_code == 200
    assert "all 10 training photos" in body
    assert "your trained model" in body
    assert "The 50 credits spent on training are not refunded." in body
    assert f'<form method="post" action="{delete_url}">' in body
    assert TrainingPhoto.objects.filter(user=funded).count() == 10
    assert PersonalModel.objects.get(user=funded).status == PersonalModel.Status.READY

    client.post(delete_url)
    assert not TrainingPhoto.objects.filter(user=funded).exists()
    assert PersonalModel.objects.get(user=funded).status == PersonalModel.Status.NONE
    assert client.get(reverse("generation:my_model", args=[personal.pk])).status_code == 404


def test_deleting_a_training_photo_asks_first_and_says_what_is_left(client, funded, base, personal, stranger):
    client.force_login(funded)
    upload(client, photos(10), personal)
    photo = TrainingPhoto.objects.filter(user=funded).first()
    delete_url = reverse("generation:my_model_photo_delete", args=[photo.pk])

    my_model_page = client.get(reverse("generation:my_model", args=[personal.pk])).content.decode()
    assert f'href="{delete_url}"' in my_model_page and f'action="{delete_url}"' not in my_model_page

    confirm = client.get(delete_url)

    body = confirm.content.decode()
    assert confirm.status_code == 200
    # The photo is shown (as a small WebP copy of it, modelsnapper.variants).
    assert picture_for(photo).url_for(160) in body and ".webp" in picture_for(photo).url_for(160)
    assert "You will have 9 photos left; training needs at least 10." in body
    assert TrainingPhoto.objects.filter(user=funded).count() == 10

    client.force_login(stranger)
    assert client.get(delete_url).status_code == 404
    client.force_login(funded)
    client.post(delete_url)
    assert not TrainingPhoto.objects.filter(pk=photo.pk).exists()


def test_the_migration_cancels_and_refunds_the_extra_runs_the_double_start_bug_left(funded, base):
    from datetime import timedelta
    from importlib import import_module

    from django.apps import apps
    from django.db import connection
    from django.utils import timezone

    from billing.services import credits_charge

    migration = import_module("generation.migrations.0008_training_guards")
    constraint = next(c for c in TrainingRun._meta.constraints if c.name == "gentrain_one_active_per_user")
    with connection.schema_editor() as editor:
        editor.remove_constraint(TrainingRun, constraint)  # the database as the old code left it
    try:
        before = balance(funded)
        runs = []
        for _ in range(3):  # what three racing starts did before the index existed
            run = TrainingRun.objects.create(
                user=funded,
                base_model=base,
                model_name="owner-model",
                credits_charged=20,
                deadline_at=timezone.now() + timedelta(hours=2),
            )
            credits_charge(
                user=funded, amount=20, idempotency_key=run.charge_key, description="t", related=run
            )
            runs.append(run)
        PersonalModel.objects.update_or_create(
            user=funded, defaults={"status": PersonalModel.Status.TRAINING, "current_training": runs[1]}
        )

        migration.end_duplicate_active_runs(apps, None)
        migration.end_duplicate_active_runs(apps, None)  # a second pass changes nothing
    finally:
        with connection.schema_editor() as editor:
            editor.add_constraint(TrainingRun, constraint)

    statuses = {run.pk: (run.status, run.credits_refunded) for run in TrainingRun.objects.filter(user=funded)}
    assert statuses == {
        runs[0].pk: (TrainingRun.Status.CANCELED, 20),
        runs[1].pk: (TrainingRun.Status.PENDING, 0),  # the one the personal model follows
        runs[2].pk: (TrainingRun.Status.CANCELED, 20),
    }
    assert balance(funded) == before - 20
    assert PersonalModel.objects.get(user=funded).status == PersonalModel.Status.TRAINING
