# Notices that must arrive once carry a key under a unique (partial) index; the "post" kind
# (someone you follow posted) joins the kinds.

from django.db import migrations, models

KINDS = [
    ("like", "Likes"),
    ("comment", "Comments"),
    ("reply", "Replies"),
    ("follow", "New followers"),
    ("mention", "Mentions"),
    ("share", "Shares"),
    ("group_invite", "Group invitations"),
    ("coin_earned", "Coins earned"),
    ("generation_complete", "Generation complete"),
    ("moderation", "Moderation"),
    ("consent", "Model consent requests and answers"),
    ("post", "Posts by people you follow"),
]


class Migration(migrations.Migration):
    dependencies = [("social", "0006_search_terms")]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=24),
        ),
        migrations.AlterField(
            model_name="notificationoptout",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=24),
        ),
        migrations.AddField(
            model_name="notification",
            name="key",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(key__gt=""), fields=("key",), name="uniq_notif_key"
            ),
        ),
    ]
