"""Usernames that look alike (issue #10 item 14): store each username's skeleton under a unique index.

The backfill keeps the oldest account of any existing look-alike group and leaves the later
ones with an empty skeleton (the index is partial), so existing look-alikes never stop the
migration; they keep their names, and a new name may not look like theirs.
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from accounts.usernames import username_skeleton

    User = apps.get_model("accounts", "User")
    seen = set()
    for pk, username in User.objects.order_by("pk").values_list("pk", "username"):
        skeleton = username_skeleton(username or "")
        if not skeleton or skeleton in seen:
            User.objects.filter(pk=pk).update(username_skeleton="")
            continue
        seen.add(skeleton)
        User.objects.filter(pk=pk).update(username_skeleton=skeleton)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_marketplace_whitelists"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(blank=True, default="", editable=False, max_length=150),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("username_skeleton__gt", "")),
                fields=("username_skeleton",),
                name="user_username_skeleton_unique",
            ),
        ),
    ]
