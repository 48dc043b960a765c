from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models

from accounts.forms import UsernameChangeMixin
from accounts.models import BusinessProfile, ModelProfile, User
from accounts.services import user_set_verified
from billing.services.quotas import wallet_quota_reset
from modelsnapper.admin import permission_choices
from modelsnapper.images import ImageUploadField


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class UserChangeAdminForm(UsernameChangeMixin, UserChangeForm):
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")
    picture_url = forms.URLField(required=False, max_length=500, assume_scheme="https", label="Picture URL")

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user_permissions = self.fields.get("user_permissions")
        if user_permissions:
            user_permissions.queryset = permission_choices()


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", "Deleted"), ("no", "Not deleted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "full_name",
                    ("given_name", "family_name"),
                    ("date_of_birth", "gender"),
                    "locale",
                    "bio",
                    "website",
                    "location",
                    "phone",
                    "avatar",
                    "picture_url",
                    "cover_image",
                )
            },
        ),
        ("Account", {"fields": ("role", "is_verified", "auth_provider", "preferences")}),
        ("Social stats", {"classes": ("collapse",), "fields": ("stats",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("date_joined", "last_login", "last_active", "created_at", "deleted_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = (
        "username",
        "email",
        "full_name",
        "role",
        "is_verified",
        "is_staff",
        "is_active",
        "deleted_at",
        "date_joined",
    )
    list_filter = ("role", "is_verified", "is_staff", "is_active", DeletedFilter, "date_joined")
    search_fields = ("username", "email", "full_name")
    readonly_fields = ("created_at", "last_active", "last_login")
    ordering = ("-date_joined",)
    # Staff uploads pass the same checks and re-encoding as everyone else's.
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}
    actions = ["reset_quota", "verify", "unverify"]

    @admin.action(description="Verify (a badge by their name)")
    def verify(self, request, queryset):
        self._set_verified(request, queryset, verified=True)

    @admin.action(description="Remove the verified badge")
    def unverify(self, request, queryset):
        self._set_verified(request, queryset, verified=False)

    def _set_verified(self, request, queryset, *, verified: bool) -> None:
        # Each change lands in the person's admin history (user_set_verified logs it).
        done = sum(
            user_set_verified(user=user, verified=verified, staff_user=request.user) for user in queryset
        )
        what = "Verified" if verified else "Removed the badge from"
        self.message_user(request, f"{what} {done} {'person' if done == 1 else 'people'}.", messages.SUCCESS)

    @admin.action(description="Reset the monthly quota now (expire unused allowance, grant the plan's)")
    def reset_quota(self, request, queryset):
        # The nightly reset's own path; each ledger entry names the staff member who asked.
        done = sum(wallet_quota_reset(user=user, staff_user=request.user) for user in queryset)
        self.message_user(
            request, f"Quota reset for {done} user{'' if done == 1 else 's'}.", messages.SUCCESS
        )
        if done < queryset.count():
            self.message_user(
                request,
                f"{queryset.count() - done} were being reset at the same moment; run the action again for them.",
                messages.WARNING,
            )


@admin.register(BusinessProfile)
class BusinessProfileAdmin(admin.ModelAdmin):
    list_display = ("business_name", "user", "stripe_customer_id", "created_at")
    search_fields = ("business_name", "stripe_customer_id", "user__username", "user__email")
    list_filter = ("created_at",)
    raw_id_fields = ("user",)
    # The whitelist follows consent approvals and revocations; staff never edit it by hand.
    readonly_fields = ("created_at", "approved_models")
    ordering = ("-created_at",)


@admin.register(ModelProfile)
class ModelProfileAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "consent_signed", "created_at")
    search_fields = ("display_name", "user__username", "user__email")
    list_filter = ("consent_signed", "created_at")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "approved_businesses")
    ordering = ("-created_at",)
