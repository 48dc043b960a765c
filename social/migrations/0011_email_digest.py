# E-mail digests of unread notifications (issue 14 item 11): each person's chosen frequency and
# the last period a digest went out for (claimed by a conditional update: once per period).

import django.db.models.deletion
import django_mongodb_backend.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0010_post_quality_score"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailDigest",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "frequency",
                    models.CharField(
                        blank=True,
                        choices=[("", "Never"), ("daily", "Daily"), ("weekly", "Weekly")],
                        default="",
                        max_length=8,
                    ),
                ),
                ("last_period", models.CharField(blank=True, default="", max_length=12)),
                ("last_sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_digest",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["frequency", "id"], name="digest_frequency_id")],
            },
        ),
    ]
