"""The per-user in-flight counter that enforces GENERATION_MAX_IN_FLIGHT at the write.

Filled from the jobs in flight now, so the cap holds for users with running jobs too.
"""

import django.db.models.deletion
import django_mongodb_backend.fields
from django.conf import settings
from django.db import migrations, models


def count_in_flight(apps, schema_editor):
    Job = apps.get_model("generation", "Job")
    GenerationSlots = apps.get_model("generation", "GenerationSlots")
    counts: dict = {}
    for user_id in Job.objects.filter(status__in=["pending", "processing"]).values_list("user_id", flat=True):
        counts[user_id] = counts.get(user_id, 0) + 1
    for user_id, count in counts.items():
        GenerationSlots.objects.update_or_create(user_id=user_id, defaults={"in_flight": count})


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("generation", "0008_training_guards"),
    ]

    operations = [
        migrations.CreateModel(
            name="GenerationSlots",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("in_flight", models.PositiveSmallIntegerField(default=0)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="generation_slots",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "generation slots", "verbose_name_plural": "generation slots"},
        ),
        migrations.RunPython(count_in_flight, migrations.RunPython.noop),
    ]
