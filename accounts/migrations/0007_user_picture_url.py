"""Seed 000's ``picture_url`` (issue #15 item 1): the Google profile picture's address."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_picture_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="picture_url",
            field=models.URLField(blank=True, max_length=500),
        ),
    ]
