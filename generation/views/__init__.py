"""Generation pages: thin views over selectors and services, one module per concern."""

from generation.views.analytics import my_analytics, staff_analytics
from generation.views.create import edit, generate, models_list
from generation.views.images import image_detail, image_file, image_public, image_rate, image_variant
from generation.views.jobs import job_cancel, job_detail, job_status
from generation.views.my_model import (
    my_model,
    my_model_delete,
    my_model_legacy,
    my_model_new,
    my_model_photo_delete,
    my_model_photos,
    my_model_rename,
    my_model_train,
    my_models,
    training_archive,
)
from generation.views.webhook import replicate_webhook

__all__ = [
    "edit",
    "generate",
    "image_detail",
    "image_file",
    "image_public",
    "image_rate",
    "image_variant",
    "job_cancel",
    "job_detail",
    "job_status",
    "models_list",
    "my_analytics",
    "my_model",
    "my_model_delete",
    "my_model_legacy",
    "my_model_new",
    "my_model_photo_delete",
    "my_model_photos",
    "my_model_rename",
    "my_model_train",
    "my_models",
    "replicate_webhook",
    "staff_analytics",
    "training_archive",
]
