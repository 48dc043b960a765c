# The verified badge (issue 14 item 7): granted by staff in the admin, shown by the person's name.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_socialstats_posts_by_category")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_verified",
            field=models.BooleanField(default=False),
        ),
    ]
