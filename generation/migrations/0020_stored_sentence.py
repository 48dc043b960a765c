# Issue 15.2: a sentence the system writes for someone to read later stores its English msgid
# and parameters beside the English text, to be shown in the reader's language
# (modelsnapper.sentences). Older documents have no field: read as None, shown as stored.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0019_providerstats_exact_cost")]

    operations = [
        migrations.AddField(
            model_name="jobevent",
            name="sentence",
            field=models.JSONField(blank=True, default=None, null=True),
        ),
    ]
