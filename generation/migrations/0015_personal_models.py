"""Several personal models per user (seed 000 ``Users.models``), each named, in a numbered slot,
with its own photos and training runs.

An existing personal model becomes its user's first model, "My model", in slot 1, and takes
the user's photos and runs. A row that holds nothing (never trained, no photos, or emptied by
the old "delete my model") is kept as a deleted model, so jobs made with it still say so.
The unique indexes come last, once every live row has its slot and name key.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

FIRST_NAME = "My model"


def first_models(apps, schema_editor):
    PersonalModel = apps.get_model("generation", "PersonalModel")
    TrainingPhoto = apps.get_model("generation", "TrainingPhoto")
    TrainingRun = apps.get_model("generation", "TrainingRun")
    now = django.utils.timezone.now()
    for personal in PersonalModel.objects.all():
        live = personal.status != "none" or personal.photo_count > 0 or bool(personal.version)
        PersonalModel.objects.filter(pk=personal.pk).update(
            name=FIRST_NAME,
            name_key=FIRST_NAME.casefold() if live else "",
            slot=1 if live else 0,
            deleted_at=None if live else now,
        )
        TrainingPhoto.objects.filter(user_id=personal.user_id).update(personal_model=personal.pk)
        TrainingRun.objects.filter(user_id=personal.user_id).update(personal_model=personal.pk)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("generation", "0014_image_search_terms"),
    ]

    operations = [
        migrations.AlterField(
            model_name="personalmodel",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="personal_models",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="personalmodel",
            name="name",
            field=models.CharField(default="My model", max_length=60),
        ),
        migrations.AddField(
            model_name="personalmodel",
            name="name_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=60),
        ),
        migrations.AddField(
            model_name="personalmodel",
            name="slot",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="personalmodel",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="personalmodel",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterModelOptions(name="personalmodel", options={"ordering": ["id"]}),
        migrations.AddField(
            model_name="trainingphoto",
            name="personal_model",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="photos",
                to="generation.personalmodel",
            ),
        ),
        migrations.AddField(
            model_name="trainingrun",
            name="personal_model",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="training_runs",
                to="generation.personalmodel",
            ),
        ),
        migrations.RunPython(first_models, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="personalmodel",
            constraint=models.UniqueConstraint(
                condition=models.Q(("slot__gt", 0)), fields=("user", "slot"), name="genpm_user_slot"
            ),
        ),
        migrations.AddConstraint(
            model_name="personalmodel",
            constraint=models.UniqueConstraint(
                condition=models.Q(("name_key__gt", "")), fields=("user", "name_key"), name="genpm_user_name"
            ),
        ),
    ]
