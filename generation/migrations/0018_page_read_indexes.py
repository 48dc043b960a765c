# Issue 17: my history and my shown images. ``deleted_at=None`` is sent as {deleted_at: null}
# (modelsnapper.queryshape) and SecantusDB walks an index only when it holds every filtered
# field, equalities first and one $in or range after them.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0017_job_remix_of")]

    operations = [
        migrations.AddIndex(
            model_name="job",
            index=models.Index(fields=["user", "deleted_at", "-id"], name="genjob_user_live_id"),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["user", "delivered", "deleted_at"], name="genimage_user_shown"),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(
                fields=["delivered", "deleted_at", "job", "output_index"], name="genimage_shown_job"
            ),
        ),
    ]
