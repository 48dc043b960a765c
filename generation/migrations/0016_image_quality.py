# The quality score of AI images (issue 14 item 8, generation.quality): the picture's measure
# and the score shown. ``manage.py quality_backfill`` measures the images stored before.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0015_personal_models")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="quality_measure",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="image",
            name="quality_score",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
    ]
