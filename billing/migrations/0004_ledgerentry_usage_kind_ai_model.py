"""Usage entries say what they paid for and with which AI model (issue #15 item 6, seed 002).

Existing entries keep "" in both (their description already names the model); no document
is rewritten and no balance changes, so reconcile_ledger sees the same sums.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_wallet_royalty_cents_wallet_royalty_paid_cents_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="usage_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("image_generation", "Image generation"),
                    ("image_edit", "Image edit"),
                    ("training", "Model training"),
                ],
                default="",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="ai_model",
            field=models.CharField(blank=True, default="", max_length=120, verbose_name="AI model"),
        ),
    ]
