# Issue 17: the following page's fallback (author_id $in [...], live). SecantusDB walks an
# index for one $in after the equalities, not for a leading one.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("social", "0012_page_read_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["live", "author", "-id"], name="post_live_author_id"),
        ),
    ]
