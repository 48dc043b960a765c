# A post published from a generated image carries its quality score (generation.quality);
# explore's "Highest quality" sort reads it through the (listed, -quality_score, -id) index.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("social", "0009_post_location_group_activity")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="quality_score",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["listed", "-quality_score", "-id"], name="post_listed_quality"),
        ),
    ]
