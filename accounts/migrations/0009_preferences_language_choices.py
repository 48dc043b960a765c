# Only languages with a translation are offered (issue #15.2): French and German are dropped.
# Stored "fr"/"de" preferences are left as they are; accounts.language shows them English.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_user_search_terms")]

    operations = [
        migrations.AlterField(
            model_name="preferences",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("es", "Español")], default="en", max_length=10
            ),
        ),
    ]
