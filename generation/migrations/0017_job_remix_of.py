# A job that remixes someone else's public image records which (issue 14 item 12: its creator
# earns coins once per remixer and image; the job page says "Remix of @alice's image").

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0016_image_quality")]

    operations = [
        migrations.AddField(
            model_name="job",
            name="remix_of",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="remixes",
                to="generation.image",
            ),
        ),
    ]
