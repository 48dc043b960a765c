# Search (social.search): each document's words and prefixes, with a multikey index.
# ``manage.py search_reindex`` fills the terms of documents written before this migration.

import django_mongodb_backend.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("social", "0005_picture_variants")]

    operations = [
        migrations.AddField(
            model_name="tag",
            name="search_terms",
            field=django_mongodb_backend.fields.ArrayField(
                models.CharField(max_length=40), blank=True, default=list, editable=False, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="tag",
            index=models.Index(fields=["search_terms", "-id"], name="tag_search"),
        ),
        migrations.AddField(
            model_name="group",
            name="search_terms",
            field=django_mongodb_backend.fields.ArrayField(
                models.CharField(max_length=40), blank=True, default=list, editable=False, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="group",
            index=models.Index(fields=["is_active", "search_terms", "-id"], name="group_search"),
        ),
        migrations.AddField(
            model_name="post",
            name="search_terms",
            field=django_mongodb_backend.fields.ArrayField(
                models.CharField(max_length=40), blank=True, default=list, editable=False, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["live", "search_terms", "-id"], name="post_search"),
        ),
        migrations.AddField(
            model_name="article",
            name="search_terms",
            field=django_mongodb_backend.fields.ArrayField(
                models.CharField(max_length=40), blank=True, default=list, editable=False, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "search_terms", "-id"], name="article_search"),
        ),
    ]
