from django.urls import path

from generation import marketplace_views, views
from generation.provenance import views as provenance_views

app_name = "generation"

urlpatterns = [
    path("jobs/<str:job_id>/", views.job_detail, name="job"),
    path("jobs/<str:job_id>/status/", views.job_status, name="job_status"),
    path("jobs/<str:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("history/", views.history, name="history"),
    path("images/<str:image_id>/", views.image_detail, name="image"),
    path("images/<str:image_id>/file/", views.image_file, name="image_file"),
    path("images/<str:image_id>/rate/", views.image_rate, name="image_rate"),
    path("images/<str:image_id>/public/", views.image_public, name="image_public"),
    path("images/<str:image_id>/credentials/", provenance_views.image_credentials, name="image_credentials"),
    path(
        "images/<str:image_id>/credentials/prompt/",
        provenance_views.image_credentials_prompt,
        name="image_credentials_prompt",
    ),
    path("posts/<str:post_id>/credentials/", provenance_views.post_credentials, name="post_credentials"),
    path("edit/", views.edit, name="edit"),
    path("models/", views.models_list, name="models"),
    path("my-model/", views.my_model, name="my_model"),
    path("my-model/photos/", views.my_model_photos, name="my_model_photos"),
    path("my-model/photos/<str:photo_id>/delete/", views.my_model_photo_delete, name="my_model_photo_delete"),
    path("my-model/train/", views.my_model_train, name="my_model_train"),
    path("my-model/delete/", views.my_model_delete, name="my_model_delete"),
    path("training/archive/<str:token>/", views.training_archive, name="training_archive"),
    path("webhooks/replicate/", views.replicate_webhook, name="replicate_webhook"),
    path("analytics/", views.my_analytics, name="analytics"),
    path("staff/analytics/", views.staff_analytics, name="staff_analytics"),
    path("marketplace/", marketplace_views.market, name="marketplace"),
    path("marketplace/requests/", marketplace_views.my_requests, name="marketplace_requests"),
    path("marketplace/history/", marketplace_views.usage_overview, name="marketplace_usage"),
    path(
        "marketplace/history/<str:kind>/<str:target_id>/",
        marketplace_views.usage_history,
        name="marketplace_usage_history",
    ),
    path("marketplace/invoices/", marketplace_views.invoices, name="marketplace_invoices"),
    path("marketplace/onboarding/", marketplace_views.onboarding, name="marketplace_onboarding"),
    path("marketplace/inbox/", marketplace_views.inbox, name="marketplace_inbox"),
    path("marketplace/withdraw/", marketplace_views.withdraw, name="marketplace_withdraw"),
    path("marketplace/royalties/", marketplace_views.royalties, name="marketplace_royalties"),
    path("marketplace/royalties.csv", marketplace_views.royalties_csv, name="marketplace_royalties_csv"),
    path(
        "marketplace/models/<str:model_id>/request/",
        marketplace_views.consent_ask,
        name="marketplace_consent_ask",
    ),
    path(
        "marketplace/consent/<str:request_id>/", marketplace_views.consent_detail, name="marketplace_consent"
    ),
    path("marketplace/licenses/<str:job_id>/", marketplace_views.license_detail, name="marketplace_license"),
    path(
        "marketplace/consent/<str:request_id>/<str:action>/",
        marketplace_views.consent_act,
        name="marketplace_consent_act",
    ),
]
