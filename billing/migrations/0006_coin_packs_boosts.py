"""Coin packs (a package that grants coins) and boosts (coins spent to put a post in
explore's "Boosted" row for 24 h), issue #14 item 12.

Existing packages keep granting credits (``coins_granted`` defaults to 0).
"""

import django.db.models.deletion
import django.utils.timezone
import django_mongodb_backend.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_coin_types_achievement"),
        ("social", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="package",
            name="coins_granted",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name="Boost",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("coins", models.PositiveIntegerField()),
                ("starts_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("ends_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[("active", "Active"), ("expired", "Expired"), ("refunded", "Refunded")],
                        default="active",
                        max_length=10,
                    ),
                ),
                ("refunded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="boosts", to="social.post"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="boosts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-starts_at"],
                "indexes": [
                    models.Index(fields=["status", "-ends_at"], name="boost_status_ends"),
                    models.Index(fields=["post", "status"], name="boost_post_status"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "active")),
                        fields=("post",),
                        name="boost_one_active_per_post",
                    )
                ],
            },
        ),
    ]
