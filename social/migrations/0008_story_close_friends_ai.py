# Stories: a close-friends audience (a list each person manages) and seed 003's aiGenerated /
# aiActivity (an AI story says so, and what it shows).

import django.db.models.deletion
import django.utils.timezone
import django_mongodb_backend.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0007_notification_key_post_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="story",
            name="visibility",
            field=models.CharField(
                choices=[("all", "Everyone"), ("followers", "Followers"), ("close_friends", "Close friends")],
                default="all",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="ai_generated",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="story",
            name="ai_activity",
            field=models.CharField(
                blank=True,
                choices=[
                    ("training", "Training a model"),
                    ("streaming", "Live streaming"),
                    ("generating", "Generating art"),
                    ("experimenting", "Experimenting"),
                ],
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="CloseFriend",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "friend",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("owner", "friend"), name="uniq_close_friend")
                ],
            },
        ),
    ]
