# A story's record now outlives it by a week, so its media file can be deleted first.

from django.db import migrations

import social.indexes


class Migration(migrations.Migration):
    dependencies = [("social", "0003_group_admins_post_views_email_status")]

    operations = [
        migrations.RemoveIndex(model_name="story", name="story_ttl"),
        migrations.AddIndex(
            model_name="story",
            index=social.indexes.TTLIndex(
                expire_after_seconds=604800, fields=["expires_at"], name="story_record_ttl"
            ),
        ),
    ]
