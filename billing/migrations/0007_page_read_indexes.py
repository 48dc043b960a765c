# Issue 17: my wallet, my subscription and a plan by code (wallet, ledger and dashboard pages):
# their unique indexes (one-to-one, unique=True) are partial, which the planner does not use
# for an equality match; and my credit entries since a date (credits used this period).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_coin_packs_boosts")]

    operations = [
        migrations.AddIndex(model_name="plan", index=models.Index(fields=["code"], name="plan_code")),
        migrations.AddIndex(model_name="wallet", index=models.Index(fields=["user"], name="wallet_user")),
        migrations.AddIndex(
            model_name="subscription", index=models.Index(fields=["user"], name="subscription_user")
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["user", "currency", "created_at"], name="ledger_user_currency_time"),
        ),
    ]
