"""Training guards: one run in progress per user (a partial unique index) and a photo counter.

The counter is filled from the photos already stored, so the cap holds for existing users too.
"""

from django.db import migrations, models


def count_photos(apps, schema_editor):
    TrainingPhoto = apps.get_model("generation", "TrainingPhoto")
    PersonalModel = apps.get_model("generation", "PersonalModel")
    counts: dict = {}
    for user_id in TrainingPhoto.objects.values_list("user_id", flat=True):
        counts[user_id] = counts.get(user_id, 0) + 1
    for user_id, count in counts.items():
        PersonalModel.objects.get_or_create(user_id=user_id)
        PersonalModel.objects.filter(user_id=user_id).update(photo_count=count)


def end_duplicate_active_runs(apps, schema_editor):
    """A database that met the double-start bug holds several runs in progress for one user,
    and the unique index cannot be built over them. Keep the run the personal model follows
    (else the oldest) and cancel the others through the training service, which refunds each
    charge exactly once. A fresh database has none, so the service is only imported when needed.
    """
    TrainingRun = apps.get_model("generation", "TrainingRun")
    PersonalModel = apps.get_model("generation", "PersonalModel")
    active: dict = {}
    for pk, user_id in (
        TrainingRun.objects.filter(status__in=["pending", "processing"])
        .order_by("pk")
        .values_list("pk", "user_id")
    ):
        active.setdefault(user_id, []).append(pk)
    extra = []
    for user_id, pks in active.items():
        if len(pks) > 1:
            current = (
                PersonalModel.objects.filter(user_id=user_id)
                .values_list("current_training_id", flat=True)
                .first()
            )
            keep = current if current in pks else pks[0]
            extra += [pk for pk in pks if pk != keep]
    if not extra:
        return
    from generation.models import TrainingRun as Run
    from generation.training import training_end

    for run in Run.objects.filter(pk__in=extra):
        training_end(run, status=Run.Status.CANCELED, error="duplicate run started by a concurrent request")


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0007_consent_last_submitted"),
    ]

    operations = [
        migrations.AddField(
            model_name="personalmodel",
            name="photo_count",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(count_photos, migrations.RunPython.noop),
        migrations.RunPython(end_duplicate_active_runs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="trainingrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "processing"])),
                fields=("user",),
                name="gentrain_one_active_per_user",
            ),
        ),
    ]
