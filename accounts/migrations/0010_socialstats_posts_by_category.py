# The profile's tabs count a person's live posts per category (issue 14 item 4): a counter per
# category beside ``stats.posts``. ``manage.py social_recount`` fills it for posts made before.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_preferences_language_choices")]

    operations = [
        migrations.AddField(
            model_name="socialstats",
            name="posts_by_category",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
