# Search (social.search): each document's words and prefixes, with a multikey index.
# ``manage.py search_reindex`` fills the terms of documents written before this migration.

import django_mongodb_backend.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_user_picture_url")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="search_terms",
            field=django_mongodb_backend.fields.ArrayField(
                models.CharField(max_length=40), blank=True, default=list, editable=False, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["search_terms", "-id"], name="user_search"),
        ),
    ]
