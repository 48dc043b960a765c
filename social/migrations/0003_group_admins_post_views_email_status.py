# Issue 10: an admin counter on groups, once-a-day post views, e-mail delivery state on
# notifications, and one post per published image.

import django.db.models.deletion
import django_mongodb_backend.fields
from django.conf import settings
from django.db import migrations, models

import social.indexes


def count_admins(apps, schema_editor):
    Group = apps.get_model("social", "Group")
    GroupMembership = apps.get_model("social", "GroupMembership")
    for group_id in Group.objects.values_list("id", flat=True):
        admins = GroupMembership.objects.filter(group_id=group_id, role="admin", status="active").count()
        Group.objects.filter(pk=group_id).update(admins_count=admins)


def emailed_to_status(apps, schema_editor):
    Notification = apps.get_model("social", "Notification")
    Notification.objects.filter(emailed=True).update(email_status="sent")


def status_to_emailed(apps, schema_editor):
    Notification = apps.get_model("social", "Notification")
    Notification.objects.filter(email_status="sent").update(emailed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0002_notification_kind_consent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="group",
            name="admins_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_admins, migrations.RunPython.noop),
        migrations.AddField(
            model_name="notification",
            name="email_attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="notification",
            name="email_lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="email_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not e-mailed"),
                    ("pending", "Waiting to be e-mailed"),
                    ("sending", "Being e-mailed"),
                    ("sent", "E-mailed"),
                    ("failed", "E-mail failed"),
                ],
                default="",
                max_length=8,
            ),
        ),
        migrations.RunPython(emailed_to_status, status_to_emailed),
        migrations.RemoveField(
            model_name="notification",
            name="emailed",
        ),
        migrations.AddField(
            model_name="post",
            name="source_image",
            field=models.CharField(blank=True, default="", max_length=24),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_image__gt", "")),
                fields=("author", "source_image"),
                name="uniq_post_source_image",
            ),
        ),
        migrations.CreateModel(
            name="PostView",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("viewer_key", models.CharField(max_length=64)),
                ("day", models.DateTimeField()),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="social.post"
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="postview",
            index=social.indexes.TTLIndex(expire_after_seconds=172800, fields=["day"], name="post_view_ttl"),
        ),
        migrations.AddConstraint(
            model_name="postview",
            constraint=models.UniqueConstraint(
                fields=("post", "viewer_key", "day"), name="uniq_post_view_day"
            ),
        ),
    ]
