# Search (social.search): each document's words and prefixes, with a multikey index.
# ``manage.py search_reindex`` fills the terms of documents written before this migration.

import django_mongodb_backend.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0013_picture_variants")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="search_terms",
            field=django_mongodb_backend.fields.ArrayField(
                models.CharField(max_length=40), blank=True, default=list, editable=False, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="image",
            index=models.Index(fields=["is_public", "search_terms", "-id"], name="genimage_search"),
        ),
    ]
