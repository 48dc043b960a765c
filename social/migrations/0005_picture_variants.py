# WebP variants of post pictures (a video's poster), image stories and group avatars/covers.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("social", "0004_story_record_grace")]

    operations = [
        migrations.AddField(
            model_name="group",
            name="avatar_variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="group",
            name="cover_variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="story",
            name="variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
    ]
