# WebP variants of avatars, covers and likeness references, kept on the document (modelsnapper.variants).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_username_rule")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="avatar_variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="user",
            name="cover_variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="modelprofile",
            name="reference_variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
    ]
