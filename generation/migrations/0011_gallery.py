"""The gallery: boards, favourites and soft delete of images and jobs (generation.gallery)."""

import django.db.models.deletion
import django.utils.timezone
import django_mongodb_backend.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("generation", "0010_image_credentials"),
    ]

    operations = [
        migrations.CreateModel(
            name="Board",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="image_boards",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [models.UniqueConstraint(fields=("user", "name"), name="genboard_user_name")],
            },
        ),
        migrations.AddField(
            model_name="job",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="is_favourite",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="image",
            name="board",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="images",
                to="generation.board",
            ),
        ),
        migrations.AddField(
            model_name="image",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="purge_names",
            field=django_mongodb_backend.fields.ArrayField(
                base_field=models.CharField(max_length=300), blank=True, default=list, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["board", "-id"], name="genimage_board_id"),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["user", "is_favourite", "-id"], name="genimage_user_fav_id"),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["deleted_at", "purged_at"], name="genimage_purge"),
        ),
    ]
