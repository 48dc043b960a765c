from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_mongodb_backend.fields import ArrayField, EmbeddedModelField, ObjectIdField
from django_mongodb_backend.models import EmbeddedModel

from accounts.usernames import USERNAME_MAX_LENGTH, USERNAME_RULE, username_skeleton, validate_username


class Preferences(EmbeddedModel):
    dark_mode = models.BooleanField(default=False)
    email_notifications = models.BooleanField(default=True)
    push_notifications = models.BooleanField(default=True)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")


class SocialStats(EmbeddedModel):
    """Denormalised counters kept by the social services (never counted live)."""

    posts = models.PositiveIntegerField(default=0)
    followers = models.PositiveIntegerField(default=0)
    following = models.PositiveIntegerField(default=0)
    likes_received = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    # Live posts per post category (social's Post.Category values as keys), moved in the same
    # ``$inc`` as ``posts`` (social.services.counters.author_posts_add): the profile's tab counts.
    posts_by_category = models.JSONField(default=dict, blank=True)


class UserQuerySet(models.QuerySet):
    def visible(self):
        """Users who may appear on public pages: active and not soft-deleted."""
        return self.filter(deleted_at=None, is_active=True)


class ModelSnapperUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


def avatar_upload_to(instance: User, filename: str) -> str:
    return f"avatars/{instance.pk}/{filename}"


def cover_upload_to(instance: User, filename: str) -> str:
    return f"covers/{instance.pk}/{filename}"


class User(AbstractUser):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        OTHER = "other", _("Other")
        NOT_SPECIFIED = "not_specified", _("Prefer not to say")

    class Role(models.TextChoices):
        CREATOR = "creator", _("Creator")
        BUSINESS = "business", _("Business")
        MODEL = "model", pgettext_lazy("account type", "Model")

    class AuthProvider(models.TextChoices):
        EMAIL = "email", "Email"
        GOOGLE = "google", "Google"

    # The seeds name people by full/given/family name, not first/last.
    first_name = None
    last_name = None

    # Seed 003's rule (accounts.usernames). Names stored before the rule keep working: forms
    # only check a name that changes (accounts.forms.UsernameChangeMixin).
    username = models.CharField(
        "username",
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        help_text=USERNAME_RULE,
        validators=[validate_username],
        error_messages={"unique": "A user with that username already exists."},
    )

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.NOT_SPECIFIED)
    locale = models.CharField(max_length=16, blank=True)
    auth_provider = models.CharField(max_length=16, choices=AuthProvider.choices, default=AuthProvider.EMAIL)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    # Seed 000's ``picture_url``: the Google profile picture's address, imported at the first
    # Google sign-in. Kept as an address, not fetched: an uploaded avatar takes precedence.
    picture_url = models.URLField(max_length=500, blank=True)
    cover_image = models.ImageField(upload_to=cover_upload_to, blank=True)
    # WebP copies at a few widths (modelsnapper.variants), kept here so pages render without a query.
    avatar_variants = models.JSONField(default=dict, blank=True, editable=False)
    cover_variants = models.JSONField(default=dict, blank=True, editable=False)
    bio = models.TextField(blank=True, validators=[MaxLengthValidator(500)])
    website = models.URLField(blank=True)
    location = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CREATOR)
    # Staff-granted (the admin's Verify action, accounts.services.user_set_verified); pages show a
    # badge by the name ({% display_name %} in accounts/templatetags/people.py).
    is_verified = models.BooleanField(default=False)
    preferences = EmbeddedModelField(Preferences, default=Preferences)
    stats = EmbeddedModelField(SocialStats, default=SocialStats)
    last_active = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # What the username looks like (accounts.usernames), unique: "аdmin" in Cyrillic cannot join
    # "admin". Empty only for accounts that already looked alike before skeletons existed.
    username_skeleton = models.CharField(max_length=150, blank=True, default="", editable=False)
    # social.search: the words and prefixes this is found by (kept in step on every save).
    search_terms = ArrayField(models.CharField(max_length=40), default=list, blank=True, editable=False)

    objects = ModelSnapperUserManager()

    class Meta:
        indexes = [
            models.Index(fields=["search_terms", "-id"], name="user_search"),
            models.Index(fields=["role", "deleted_at"], name="user_role_deleted"),
            # A profile by username: the unique one is partial, which no equality lookup uses.
            models.Index(fields=["username"], name="user_username"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["username_skeleton"],
                condition=models.Q(username_skeleton__gt=""),
                name="user_username_skeleton_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_username = instance.__dict__.get("username")
        return instance

    def save(self, *args, **kwargs):
        """Keep ``username_skeleton`` in step with the username, whichever code saves the user.

        Recomputed only when the username is written and changed, so an account that predates
        skeletons and looks like another keeps saving its other fields.
        """
        update_fields = kwargs.get("update_fields")
        writes_username = update_fields is None or "username" in update_fields
        changed = self._state.adding or self.username != getattr(self, "_loaded_username", None)
        if writes_username and changed:
            self.username_skeleton = username_skeleton(self.username)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "username_skeleton"}
        super().save(*args, **kwargs)
        self._loaded_username = self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def age(self) -> int | None:
        if not self.date_of_birth:
            return None
        today = date.today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_visible(self) -> bool:
        """May appear on public pages (the row-level twin of ``User.objects.visible()``)."""
        return self.deleted_at is None and self.is_active

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})


def user_display(user: User) -> str:
    return user.display_name


class BusinessProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="business_profile")
    business_name = models.CharField(max_length=200)
    stripe_customer_id = models.CharField(max_length=64, blank=True)
    # Seed 001's whitelist: the ModelProfile ids that approved this business. Kept by the
    # consent services in the same transaction as the approval or revocation.
    approved_models = ArrayField(ObjectIdField(), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.business_name


class ModelProfile(models.Model):
    """A human model's marketplace profile (seed 001 ``model_profiles``).

    Listed in the marketplace only when the likeness release is signed and the
    profile is active with 3–4 reference images. Writes go through
    ``generation.marketplace``; the royalty balance lives on the billing wallet.
    """

    class Category(models.TextChoices):
        SWIMWEAR = "swimwear", _("Swimwear")
        LINGERIE = "lingerie", _("Lingerie")
        FITNESS = "fitness", _("Fitness")
        NIGHTLIFE = "nightlife", _("Nightlife")
        CASUAL = "casual", _("Casual")
        FORMAL = "formal", _("Formal")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="model_profile")
    display_name = models.CharField(max_length=120)
    consent_signed = models.BooleanField(default=False)
    # Storage names of the 3–4 likeness reference images (private/<user id>/likeness/...).
    reference_images = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    # Their WebP copies (modelsnapper.variants) by reference (picture_sources.reference_key).
    reference_variants = models.JSONField(default=dict, blank=True, editable=False)
    release_version = models.CharField(max_length=20, blank=True)
    release_signed_at = models.DateTimeField(null=True, blank=True)
    release_ip = models.GenericIPAddressField(null=True, blank=True)
    refused_categories = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    # Seed 001's whitelist: the business user ids this model approved (see BusinessProfile).
    approved_businesses = ArrayField(ObjectIdField(), default=list, blank=True)
    consent_expires_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_listed(self) -> bool:
        return self.consent_signed and self.is_active and 3 <= len(self.reference_images) <= 4

    def refuses(self, category: str, *, today: date | None = None) -> str:
        """Why a generation in ``category`` falls outside the scope ("" when it does not)."""
        today = today or timezone.localdate()
        if self.consent_expires_on is not None and self.consent_expires_on < today:
            return "This model's consent has expired."
        if category and category in self.refused_categories:
            return f"This model does not appear in {category} images."
        return ""
