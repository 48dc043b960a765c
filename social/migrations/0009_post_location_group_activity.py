# Posts: optional coordinates of their place (social.geo), with a 2dsphere index where the
# server supports one. Groups: the time of their last post or comment (sorting the groups page)
# and, per member, when they last posted or commented (the "active members" count).

import contextlib

import django.db.models.deletion
import django.utils.timezone
import django_mongodb_backend.fields
from django.conf import settings
from django.db import migrations, models
from pymongo.errors import OperationFailure

GEO_INDEX = "post_location_geo"  # social.geo.GEO_INDEX


def create_geo_index(apps, schema_editor):
    """A 2dsphere index on the GeoJSON point. Not a ``Meta.indexes`` entry: Django cannot
    describe one, and a server that refuses it must still migrate (social.geo then reads the
    latitude/longitude index instead)."""
    Post = apps.get_model("social", "Post")
    collection = schema_editor.connection.get_collection(Post._meta.db_table)
    with contextlib.suppress(OperationFailure):
        collection.create_index([("location", "2dsphere")], name=GEO_INDEX)


def drop_geo_index(apps, schema_editor):
    Post = apps.get_model("social", "Post")
    collection = schema_editor.connection.get_collection(Post._meta.db_table)
    if GEO_INDEX in collection.index_information():
        collection.drop_index(GEO_INDEX)


def last_activity_from_posts(apps, schema_editor):
    """Existing groups: their newest post's time, else their creation."""
    Group = apps.get_model("social", "Group")
    Post = apps.get_model("social", "Post")
    for group_id, created_at in Group.objects.values_list("id", "created_at"):
        newest = (
            Post.objects.filter(group_id=group_id)
            .order_by("-id")
            .values_list("created_at", flat=True)
            .first()
        )
        Group.objects.filter(pk=group_id).update(last_activity_at=max(filter(None, [created_at, newest])))


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0008_story_close_friends_ai"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="GroupMemberActivity",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_active_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name="group",
            name="last_activity_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(last_activity_from_posts, migrations.RunPython.noop),
        migrations.AddField(
            model_name="post",
            name="latitude",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="post",
            name="location",
            field=models.JSONField(blank=True, default=None, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="post",
            name="longitude",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="group",
            index=models.Index(
                fields=["is_active", "visibility", "-members_count", "-id"], name="group_active_size"
            ),
        ),
        migrations.AddIndex(
            model_name="group",
            index=models.Index(
                fields=["is_active", "visibility", "-last_activity_at", "-id"], name="group_active_activity"
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["latitude", "longitude"], name="post_lat_lon"),
        ),
        migrations.RunPython(create_geo_index, drop_geo_index),
        migrations.AddField(
            model_name="groupmemberactivity",
            name="group",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="social.group"
            ),
        ),
        migrations.AddField(
            model_name="groupmemberactivity",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddIndex(
            model_name="groupmemberactivity",
            index=models.Index(fields=["group", "-last_active_at"], name="group_activity_recent"),
        ),
        migrations.AddConstraint(
            model_name="groupmemberactivity",
            constraint=models.UniqueConstraint(fields=("group", "user"), name="uniq_group_member_activity"),
        ),
    ]
