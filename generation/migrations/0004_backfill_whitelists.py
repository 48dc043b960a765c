"""Fill the seed-001 whitelists from the consent requests approved before they existed."""

from django.db import migrations


def backfill(apps, schema_editor):
    ConsentRequest = apps.get_model("generation", "ConsentRequest")
    BusinessProfile = apps.get_model("accounts", "BusinessProfile")
    ModelProfile = apps.get_model("accounts", "ModelProfile")
    for request in ConsentRequest.objects.filter(status="approved"):
        model_profile = ModelProfile.objects.filter(user_id=request.model_id).first()
        if model_profile is None:
            continue
        if request.business_id not in model_profile.approved_businesses:
            model_profile.approved_businesses = [*model_profile.approved_businesses, request.business_id]
            model_profile.save(update_fields=["approved_businesses"])
        business_profile = BusinessProfile.objects.filter(user_id=request.business_id).first()
        if business_profile is not None and model_profile.pk not in business_profile.approved_models:
            business_profile.approved_models = [*business_profile.approved_models, model_profile.pk]
            business_profile.save(update_fields=["approved_models"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_marketplace_whitelists"),
        ("generation", "0003_marketplace_whitelists"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
