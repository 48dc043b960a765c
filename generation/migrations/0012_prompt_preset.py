"""Prompt presets: the style chips staff curate for the create page."""

import django.utils.timezone
import django_mongodb_backend.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0011_gallery"),
    ]

    operations = [
        migrations.CreateModel(
            name="PromptPreset",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(help_text="The chip's label, e.g. “Cinematic”.", max_length=40)),
                (
                    "text",
                    models.CharField(
                        help_text="Added to the end of the prompt, e.g. “cinematic lighting, 35mm film”.",
                        max_length=300,
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                "verbose_name": "prompt preset",
                "ordering": ["position", "name"],
            },
        ),
    ]
