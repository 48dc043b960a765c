from django.contrib import admin

from generation.errors import GenerationError
from generation.models import (
    AIAvatar,
    AIModel,
    Board,
    ConsentEvent,
    ConsentRequest,
    FeedExample,
    Image,
    Job,
    JobEvent,
    PersonalModel,
    PromptPreset,
    TrainingRun,
    WebhookEvent,
)
from generation.services import job_refund_completed
from modelsnapper.picture_sources import picture_variants_delete, picture_variants_store


@admin.register(AIModel)
class AIModelAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "kind",
        "provider",
        "credit_cost",
        "usage_count",
        "last_used_at",
        "is_active",
    )
    list_filter = ("kind", "provider", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("usage_count", "last_used_at")


class JobEventInline(admin.TabularInline):
    model = JobEvent
    extra = 0
    readonly_fields = ("at", "name", "message")
    can_delete = False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "user",
        "kind",
        "ai_model",
        "status",
        "credits_charged",
        "credits_refunded",
        "refund_reason",
        "submitted_at",
    )
    list_filter = ("status", "kind", "refund_reason", "provider")
    raw_id_fields = ("user", "source_image", "personal_model")
    readonly_fields = (
        "credits_charged",
        "credits_refunded",
        "refund_reason",
        "provider_job_id",
        "claim_token",
        "finalise_token",
        "error_detail",
    )
    inlines = [JobEventInline]
    actions = ["refund_completed"]

    @admin.action(description="Refund completed generations (credits back, royalty clawed back)")
    def refund_completed(self, request, queryset):
        refunded = skipped = 0
        for job in queryset:
            try:
                refunded += job_refund_completed(job=job, reason=f"Refunded by {request.user.username}")
            except GenerationError:
                skipped += 1
        self.message_user(request, f"{refunded} refunded; {skipped} skipped (not completed).")


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "user",
        "image_type",
        "width",
        "height",
        "file_size",
        "is_public",
        "created_at",
        "deleted_at",
    )
    list_filter = ("image_type", "is_public")
    raw_id_fields = ("user", "job", "parent", "original", "board")
    readonly_fields = ("deleted_at", "purged_at", "purge_names")


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at")
    search_fields = ("name",)
    raw_id_fields = ("user",)


@admin.register(FeedExample)
class FeedExampleAdmin(admin.ModelAdmin):
    """Staff curate the landing page's examples here (only public images are shown)."""

    list_display = ("prompt", "position", "is_active", "created_at")
    list_editable = ("position", "is_active")
    raw_id_fields = ("image",)


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("webhook_id", "provider_job_id", "status", "received_at")
    list_filter = ("status",)


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "user",
        "status",
        "training_id",
        "credits_charged",
        "credits_refunded",
        "created_at",
    )
    list_filter = ("status",)


admin.site.register(PersonalModel)


@admin.register(PromptPreset)
class PromptPresetAdmin(admin.ModelAdmin):
    """The style chips on the create page: staff add, reorder and retire them here."""

    list_display = ("name", "text", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "text")


@admin.register(AIAvatar)
class AIAvatarAdmin(admin.ModelAdmin):
    """Staff-managed avatars any business may use without consent or royalty (seed 001)."""

    list_display = ("name", "is_active", "created_at")
    list_filter = ("is_active",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "reference_image" in form.changed_data:
            old = obj.variants  # the replaced picture's (the form does not touch the field)
            picture_variants_store(obj=obj)
            picture_variants_delete(old, keep=[obj.variants])


class ConsentEventInline(admin.TabularInline):
    model = ConsentEvent
    extra = 0
    fields = ("created", "kind", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentRequest)
class ConsentRequestAdmin(admin.ModelAdmin):
    """Read-only: consent changes only through the model's own actions (append-only events)."""

    list_display = ("pk", "business", "model", "status", "requested_at", "decided_at", "revoked_at")
    list_filter = ("status",)
    readonly_fields = (
        "business",
        "model",
        "status",
        "message",
        "requested_at",
        "decided_at",
        "revoked_at",
        "scope_changed_at",
        "last_submitted_at",
        "last_delivered_at",
    )
    inlines = [ConsentEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = ("pk", "request", "kind", "actor", "created")
    list_filter = ("kind",)
    readonly_fields = ("request", "kind", "actor", "note", "created")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
