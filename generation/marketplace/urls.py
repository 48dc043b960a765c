"""The marketplace's pages, under /generation/marketplace/ (namespace ``marketplace``)."""

from django.urls import path

from generation.marketplace.views import business, model, shared

app_name = "marketplace"

urlpatterns = [
    # The business's side.
    path("", business.market, name="market"),
    path("requests/", business.my_requests, name="requests"),
    path("history/", business.usage_overview, name="usage"),
    path("history/<str:kind>/<str:target_id>/", business.usage_history, name="usage_history"),
    path("invoices/", business.invoices, name="invoices"),
    path("models/<str:model_id>/request/", business.consent_ask, name="consent_ask"),
    # The model's side.
    path("onboarding/", model.onboarding, name="onboarding"),
    path("onboarding/references/", model.onboarding_references, name="onboarding_references"),
    path("onboarding/release/", model.onboarding_sign, name="onboarding_sign"),
    path("onboarding/scope/", model.onboarding_scope, name="onboarding_scope"),
    path("onboarding/pause/", model.onboarding_pause, name="onboarding_pause"),
    path("onboarding/resume/", model.onboarding_resume, name="onboarding_resume"),
    path("inbox/", model.inbox, name="inbox"),
    path("withdraw/", model.withdraw, name="withdraw"),
    path("royalties/", model.royalties, name="royalties"),
    path("royalties.csv", model.royalties_csv, name="royalties_csv"),
    path("consent/<str:request_id>/<str:action>/", model.consent_act, name="consent_act"),
    # Either side.
    path("consent/<str:request_id>/", shared.consent_detail, name="consent"),
    path("licenses/<str:job_id>/", shared.license_detail, name="license"),
]
