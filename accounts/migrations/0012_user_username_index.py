# Issue 17: a profile by username. The unique index on username is partial
# ({username: {$type: ...}}), which the planner does not use for an equality match.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_user_is_verified")]

    operations = [
        migrations.AddIndex(model_name="user", index=models.Index(fields=["username"], name="user_username")),
    ]
