"""Usernames follow seed 003's rule (issue #15 item 3): 3 to 30 letters, digits, ``_`` and ``.``.

Only the field's validators and length change; no document is rewritten. Usernames stored
before the rule stay as they are: their owners still sign in and save their profile, and only
a new or changed name must follow the rule (``accounts.forms.UsernameChangeMixin``).
"""

from django.db import migrations, models

import accounts.usernames


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_username_skeleton"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                help_text="Use 3 to 30 characters: letters, digits, underscores (_) and dots (.) only.",
                max_length=30,
                unique=True,
                validators=[accounts.usernames.UsernameValidator()],
                verbose_name="username",
            ),
        ),
    ]
