"""Seed 003's coin transaction types (daily bonus, earn, spend, purchase, refund,
achievement) and the Achievement badge, once per (user, code) (issue #14 items 12, 13).

No document is rewritten: existing entries keep their types, so reconcile_ledger sees
the same sums.
"""

import django.db.models.deletion
import django.utils.timezone
import django_mongodb_backend.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_ledgerentry_usage_kind_ai_model"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="entry_type",
            field=models.CharField(
                choices=[
                    ("purchase", "Purchase"),
                    ("subscription_grant", "Subscription grant"),
                    ("allowance_expiry", "Allowance expiry"),
                    ("usage", "Usage"),
                    ("refund", "Refund"),
                    ("bonus", "Bonus"),
                    ("adjustment", "Adjustment"),
                    ("coin_bonus", "Coin bonus"),
                    ("coin_gift_in", "Coins received"),
                    ("coin_gift_out", "Coins sent"),
                    ("coin_reward", "Coin reward"),
                    ("coin_daily_bonus", "Daily bonus"),
                    ("coin_earn", "Coins earned"),
                    ("coin_spend", "Coins spent"),
                    ("coin_purchase", "Coins purchased"),
                    ("coin_refund", "Coins refunded"),
                    ("coin_achievement", "Achievement"),
                    ("revocation", "Revocation"),
                    ("royalty", "Royalty"),
                    ("royalty_clawback", "Royalty clawback"),
                    ("royalty_payout", "Royalty payout"),
                ],
                max_length=24,
            ),
        ),
        migrations.CreateModel(
            name="Achievement",
            fields=[
                (
                    "id",
                    django_mongodb_backend.fields.ObjectIdAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        choices=[
                            ("first_post", "First post"),
                            ("likes_100", "100 likes"),
                            ("followers_10", "10 followers"),
                            ("first_model", "First model trained"),
                        ],
                        max_length=20,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="achievements",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["created_at"],
                "constraints": [models.UniqueConstraint(fields=("user", "code"), name="achievement_once")],
            },
        ),
    ]
