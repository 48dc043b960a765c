"""The ledger tells image generation from image edit usage and names the AI model used
(issue #15 item 6, seed 002): set by the generation charge, carried by its refund, filterable
in the admin and on the ledger page."""

from django.core.management import call_command

from billing.models import LedgerEntry
from generation import services
from generation.models import Job

from .helpers import edit, upload

Usage = LedgerEntry.UsageKind


def generate(user, ai_model) -> Job:
    return services.job_submit(user=user, ai_model=ai_model, prompt="a red fox")


def charge_of(job: Job) -> LedgerEntry:
    return LedgerEntry.objects.get(idempotency_key=job.charge_key)


def test_a_generation_and_an_edit_are_charged_as_different_usage_kinds_naming_their_model(
    client, funded, local_model, edit_model
):
    client.force_login(funded)

    generate(funded, local_model)
    assert edit(client, upload=upload()).status_code == 302

    made = Job.objects.get(ai_model=local_model)
    edited = Job.objects.get(ai_model=edit_model)
    assert (charge_of(made).entry_type, charge_of(made).usage_kind, charge_of(made).ai_model) == (
        LedgerEntry.Type.USAGE,
        Usage.IMAGE_GENERATION,
        "Local fast",
    )
    assert (charge_of(edited).usage_kind, charge_of(edited).ai_model) == (Usage.IMAGE_EDIT, "Local edit")
    call_command("reconcile_ledger")  # exits non-zero (SystemExit) on any drift


def test_the_refund_of_a_canceled_generation_carries_its_usage_kind_and_model(
    funded, local_model, held_tasks
):
    job = services.job_submit(user=funded, ai_model=local_model, prompt="a fox")

    services.job_cancel(job=job)

    refund = LedgerEntry.objects.get(reverses_key=job.charge_key)
    assert (refund.entry_type, refund.usage_kind, refund.ai_model) == (
        LedgerEntry.Type.REFUND,
        Usage.IMAGE_GENERATION,
        "Local fast",
    )


def test_staff_filter_the_ledger_by_usage_kind_and_model_in_the_admin(
    client, staff, funded, local_model, edit_model
):
    client.force_login(funded)
    generate(funded, local_model)
    assert edit(client, upload=upload()).status_code == 302
    edit_charge = charge_of(Job.objects.get(ai_model=edit_model))
    generation_charge = charge_of(Job.objects.get(ai_model=local_model))
    client.force_login(staff)

    by_kind = client.get("/admin/billing/ledgerentry/", {"usage_kind": Usage.IMAGE_EDIT}).context["cl"]
    by_model = client.get("/admin/billing/ledgerentry/", {"ai_model": "Local fast"}).context["cl"]

    assert [entry.pk for entry in by_kind.result_list] == [edit_charge.pk]
    assert [entry.pk for entry in by_model.result_list] == [generation_charge.pk]


def test_the_ledger_page_filters_by_usage_kind_and_shows_the_model(client, funded, local_model, edit_model):
    client.force_login(funded)
    generate(funded, local_model)
    assert edit(client, upload=upload()).status_code == 302

    page = client.get("/billing/ledger/", {"usage": Usage.IMAGE_EDIT})

    assert [entry.usage_kind for entry in page.context["entries"]] == [Usage.IMAGE_EDIT]
    text = page.content.decode()
    assert "Local edit" in text
    assert "image_edit" not in text.replace('value="image_edit"', "")  # no internal codes shown


def test_a_training_is_charged_as_model_training_naming_its_base_model(client, funded, settings):
    from generation import training
    from generation.models import AIModel, Kind, TrainingRun
    from generation.seed import seed_catalog

    from .helpers import photos
    from .helpers import upload_photos as upload

    seed_catalog()
    AIModel.objects.filter(kind__in=[Kind.TRAINING_BASE, Kind.PERSONAL]).update(provider="local")
    base = AIModel.objects.get(kind=Kind.TRAINING_BASE)
    settings.GENERATION_TRAINING_COST = 20
    client.force_login(funded)
    personal = training.personal_model_create(user=funded, name="Studio")
    upload(client, photos(10), personal)

    training.training_start(user=funded, personal=personal, base_model=base)

    charge = LedgerEntry.objects.get(idempotency_key=TrainingRun.objects.get(user=funded).charge_key)
    assert (charge.usage_kind, charge.ai_model) == (Usage.TRAINING, base.name)


def test_the_ledger_page_filters_by_the_ai_model_i_used(client, funded, local_model, edit_model):
    client.force_login(funded)
    generate(funded, local_model)
    assert edit(client, upload=upload()).status_code == 302

    page = client.get("/billing/ledger/", {"model": "Local fast"})

    assert [(entry.usage_kind, entry.ai_model) for entry in page.context["entries"]] == [
        (Usage.IMAGE_GENERATION, "Local fast")
    ]
    assert [label for _, label in page.context["form"].fields["model"].choices] == [
        "All models",
        "Local edit",
        "Local fast",
    ]
