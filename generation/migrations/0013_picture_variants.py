# WebP variants of images, training photos and AI avatars, kept on the document (modelsnapper.variants).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0012_prompt_preset")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="trainingphoto",
            name="variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="aiavatar",
            name="variants",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
    ]
