# Issue 17 item 3: the Stripe webhook's looks by a unique Stripe id (a redelivered event's
# record, an invoice, a payment, a ledger key) scanned their collections: the unique indexes
# are partial ($type: string), which the planner does not use for an equality match. Plain
# indexes beside them, as 0007 did for the page reads.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_page_read_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="stripeevent", index=models.Index(fields=["event_id"], name="stripeevent_event_id")
        ),
        migrations.AddIndex(
            model_name="invoice", index=models.Index(fields=["stripe_invoice_id"], name="invoice_stripe_id")
        ),
        migrations.AddIndex(
            model_name="payment", index=models.Index(fields=["external_id"], name="payment_external_id")
        ),
        migrations.AddIndex(
            model_name="ledgerentry", index=models.Index(fields=["idempotency_key"], name="ledger_key")
        ),
    ]
