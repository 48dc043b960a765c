"""Staff tools: the moderation queue (reports), posts and comments, groups, articles, tags."""

from __future__ import annotations

from django.contrib import admin, messages

from social import services
from social.models import Article, Comment, Group, GroupMembership, Post, Report, Story, Tag

DEFAULT_REASON = "It breaks our community guidelines."


def _moderate(modeladmin, request, queryset, action: str, target_type: str):
    done = 0
    for obj in queryset:
        reason = obj.moderation_reason or DEFAULT_REASON
        try:
            services.moderation_apply(
                by=request.user, target_type=target_type, target_id=obj.pk, action=action, reason=reason
            )
            done += 1
        except services.SocialError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
    modeladmin.message_user(
        request, f"{action.title()}: {done} {target_type}(s). Authors were notified with the reason."
    )


def _set_featured(modeladmin, request, queryset, set_featured, *, featured: bool) -> None:
    """The Feature / Stop featuring actions of posts and tags (explore's featured row)."""
    name = queryset.model._meta.model_name
    done = 0
    for obj in queryset:
        set_featured(**{name: obj}, featured=featured, by=request.user)
        done += 1
    verb = "Featured" if featured else "Stopped featuring"
    modeladmin.message_user(request, f"{verb} {done} {name}{'' if done == 1 else 's'}.", messages.SUCCESS)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "author",
        "category",
        "visibility",
        "status",
        "moderation_state",
        "is_featured",
        "likes_count",
        "created_at",
    )
    list_filter = ("category", "visibility", "status", "moderation_state", "is_featured", "ai_generated")
    search_fields = ("title",)
    raw_id_fields = ("author", "group")
    readonly_fields = (
        "likes_count",
        "comments_count",
        "shares_count",
        "saves_count",
        "views_count",
        "hot",
        "live",
        "listed",
        "tags",
        "media",
        "thumbnail",
    )
    fields = (
        "author",
        "group",
        "category",
        "title",
        "caption",
        "media",
        "thumbnail",
        "tags",
        "location_name",
        "visibility",
        "status",
        "is_featured",
        "moderation_state",
        "moderation_reason",
        "likes_count",
        "comments_count",
        "shares_count",
        "saves_count",
        "views_count",
        "hot",
        "live",
        "listed",
        "deleted_at",
    )
    actions = ["hide", "remove", "restore", "feature", "unfeature"]

    def save_model(self, request, obj, form, change):
        obj.compute_flags()
        super().save_model(request, obj, form, change)

    @admin.action(description="Hide (author sees the moderation reason)")
    def hide(self, request, queryset):
        _moderate(self, request, queryset, "hide", "post")

    @admin.action(description="Remove (author sees the moderation reason)")
    def remove(self, request, queryset):
        _moderate(self, request, queryset, "remove", "post")

    @admin.action(description="Restore")
    def restore(self, request, queryset):
        _moderate(self, request, queryset, "restore", "post")

    @admin.action(description="Feature on explore")
    def feature(self, request, queryset):
        _set_featured(self, request, queryset, services.post_set_featured, featured=True)

    @admin.action(description="Stop featuring")
    def unfeature(self, request, queryset):
        _set_featured(self, request, queryset, services.post_set_featured, featured=False)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "post", "depth", "moderation_state", "created_at")
    list_filter = ("moderation_state",)
    raw_id_fields = ("author", "post", "parent", "root")
    actions = ["hide", "remove", "restore"]

    @admin.action(description="Hide")
    def hide(self, request, queryset):
        _moderate(self, request, queryset, "hide", "comment")

    @admin.action(description="Remove")
    def remove(self, request, queryset):
        _moderate(self, request, queryset, "remove", "comment")

    @admin.action(description="Restore")
    def restore(self, request, queryset):
        _moderate(self, request, queryset, "restore", "comment")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The moderation queue. Write the reason for the author in “resolution”, then pick an action."""

    list_display = ("__str__", "reporter", "target_type", "reason", "status", "created_at")
    list_filter = ("status", "target_type", "reason")
    readonly_fields = (
        "reporter",
        "target_type",
        "target_id",
        "reason",
        "details",
        "handled_by",
        "handled_at",
        "created_at",
    )
    fields = (
        "reporter",
        "target_type",
        "target_id",
        "reason",
        "details",
        "status",
        "resolution",
        "handled_by",
        "handled_at",
        "created_at",
    )
    actions = ["hide_target", "remove_target", "restore_target", "dismiss"]

    def _resolve(self, request, queryset, action):
        done = 0
        for report in queryset:
            try:
                services.report_resolve(
                    by=request.user, report=report, action=action, reason=report.resolution
                )
                done += 1
            except (services.SocialError, Post.DoesNotExist, Comment.DoesNotExist) as exc:
                self.message_user(request, f"{report}: {exc}", messages.ERROR)
        self.message_user(request, f"{done} report(s) handled.")

    @admin.action(description="Hide the reported post/comment")
    def hide_target(self, request, queryset):
        self._resolve(request, queryset, "hide")

    @admin.action(description="Remove the reported post/comment")
    def remove_target(self, request, queryset):
        self._resolve(request, queryset, "remove")

    @admin.action(description="Restore the reported post/comment")
    def restore_target(self, request, queryset):
        self._resolve(request, queryset, "restore")

    @admin.action(description="Dismiss")
    def dismiss(self, request, queryset):
        self._resolve(request, queryset, "dismiss")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "status", "published_at", "updated_at")
    list_filter = ("status",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("published_at", "updated_at", "created_at")
    fields = (
        "title",
        "slug",
        "summary",
        "body",
        "status",
        "author",
        "published_at",
        "updated_at",
        "created_at",
    )

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk}


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    fk_name = "group"
    raw_id_fields = ("user", "invited_by")
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "category", "members_count", "posts_count", "is_active")
    list_filter = ("visibility", "category", "is_active")
    raw_id_fields = ("creator",)
    readonly_fields = ("members_count", "posts_count", "admins_count")
    inlines = [MembershipInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "usage_count", "category", "is_featured", "last_used")
    list_filter = ("category", "is_featured")
    readonly_fields = ("usage_count", "trending_score", "last_used")
    actions = ["feature", "unfeature"]

    @admin.action(description="Feature on explore")
    def feature(self, request, queryset):
        _set_featured(self, request, queryset, services.tag_set_featured, featured=True)

    @admin.action(description="Stop featuring")
    def unfeature(self, request, queryset):
        _set_featured(self, request, queryset, services.tag_set_featured, featured=False)


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("author", "kind", "visibility", "views_count", "expires_at")
    raw_id_fields = ("author",)
