from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    default_auto_field = "django_mongodb_backend.fields.ObjectIdAutoField"

    def ready(self) -> None:
        from billing.signals import royalty_clawed_back
        from generation.services import job_royalty_clawed_back

        royalty_clawed_back.connect(job_royalty_clawed_back, dispatch_uid="generation.job_royalty")
