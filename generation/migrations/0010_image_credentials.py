"""Content Credentials: the manifest signed into each output, and the publish-prompt choice."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0009_generation_slots"),
    ]

    operations = [
        migrations.AddField(
            model_name="image",
            name="credentials_label",
            field=models.CharField(blank=True, default="", max_length=80),
        ),
        migrations.AddField(
            model_name="image",
            name="credentials_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="image",
            name="publish_prompt_in_credentials",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["credentials_label"], name="genimage_credentials"),
        ),
    ]
