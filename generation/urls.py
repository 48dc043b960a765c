from django.urls import path

from generation import views
from generation.gallery import urls as gallery_urls
from generation.provenance import views as provenance_views

app_name = "generation"

urlpatterns = [
    *gallery_urls.urlpatterns,  # history, starred, boards, delete, bulk actions
    path("jobs/<str:job_id>/", views.job_detail, name="job"),
    path("jobs/<str:job_id>/status/", views.job_status, name="job_status"),
    path("jobs/<str:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("images/<str:image_id>/", views.image_detail, name="image"),
    path("images/<str:image_id>/file/", views.image_file, name="image_file"),
    path("images/<str:image_id>/v/<str:variant>", views.image_variant, name="image_variant"),
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
    path("models/mine/", views.my_models, name="my_models"),
    path("models/mine/new/", views.my_model_new, name="my_model_new"),
    path(
        "models/mine/photos/<str:photo_id>/delete/", views.my_model_photo_delete, name="my_model_photo_delete"
    ),
    path("models/mine/<str:model_id>/", views.my_model, name="my_model"),
    path("models/mine/<str:model_id>/photos/", views.my_model_photos, name="my_model_photos"),
    path("models/mine/<str:model_id>/train/", views.my_model_train, name="my_model_train"),
    path("models/mine/<str:model_id>/rename/", views.my_model_rename, name="my_model_rename"),
    path("models/mine/<str:model_id>/delete/", views.my_model_delete, name="my_model_delete"),
    path("my-model/", views.my_model_legacy),  # the one-model page's old address
    path("training/archive/<str:token>/", views.training_archive, name="training_archive"),
    path("webhooks/replicate/", views.replicate_webhook, name="replicate_webhook"),
    path("analytics/", views.my_analytics, name="analytics"),
    path("staff/analytics/", views.staff_analytics, name="staff_analytics"),
]
