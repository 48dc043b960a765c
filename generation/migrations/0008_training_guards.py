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
        migrations.AddConstraint(
            model_name="trainingrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "processing"])),
                fields=("user",),
                name="gentrain_one_active_per_user",
            ),
        ),
    ]
