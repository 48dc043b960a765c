# A job's provider cost keeps fractions of a cent (the seed's prices are 0.3, 2.5, 3.9 ¢); the
# whole-cents field stored 0.3 as 0. ProviderStats is embedded in Job: no collection changes,
# documents written before keep their whole-cent figures.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0018_page_read_indexes")]

    operations = [
        migrations.AlterField(
            model_name="providerstats",
            name="cost_cents",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=12, null=True),
        ),
    ]
