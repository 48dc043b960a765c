"""Generation: the AI model catalog, jobs, their timeline, images and personal models.

A :class:`Job` is the one record of a generation (seeds 000 InferenceRuns, 003
AIGenerations and 004 ImageGeneration merged). Its state machine is

    pending → processing → completed | failed | canceled | expired

and every transition is a single-document conditional update (see
``generation.services``): whoever changes the status from an active one owns
the side effects (storing outputs, refunding), so they happen exactly once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_mongodb_backend.fields import ArrayField, EmbeddedModelField
from django_mongodb_backend.models import EmbeddedModel

from modelsnapper.media import link_for
from modelsnapper.queryshape import ShapedManager, ShapedQuerySet

PROMPT_MAX = 2000


class Kind(models.TextChoices):
    TEXT_TO_IMAGE = "text-to-image", _("Text to image")
    IMAGE_TO_IMAGE = "image-to-image", _("Image to image")
    IMAGE_EDIT = "image-edit", _("Image edit")
    PERSONAL = "personal", _("My model")
    TRAINING_BASE = "training-base", _("Training base")


class AIModel(models.Model):
    """One entry of the catalog staff curate (seed 002 AI Model, seed 003 model names)."""

    class Provider(models.TextChoices):
        DEFAULT = "", "Site default"
        LOCAL = "local", "Local (offline)"
        REPLICATE = "replicate", "Replicate"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    provider = models.CharField(
        max_length=16,
        choices=Provider.choices,
        blank=True,
        default="",
        help_text="Empty: the site's GENERATION_PROVIDER.",
    )
    provider_model = models.CharField(max_length=200, blank=True, help_text="owner/name on the provider.")
    provider_version = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEXT_TO_IMAGE)
    credit_cost = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    default_parameters = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "AI model"
        constraints = [
            models.CheckConstraint(condition=models.Q(credit_cost__gt=0), name="aimodel_cost_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def takes_source_image(self) -> bool:
        """Whether a job with this model may start from a picture (the one rule for it).

        Edit models always do; other models say so by naming the provider input that carries
        the picture (``image_input_key`` in their default parameters), as flux-dev's ``image``.
        """
        return self.kind == Kind.IMAGE_EDIT or bool((self.default_parameters or {}).get("image_input_key"))


class PromptPreset(models.Model):
    """A style staff curate for the create page: a chip that adds its text to the prompt."""

    name = models.CharField(max_length=40, help_text="The chip's label, e.g. “Cinematic”.")
    text = models.CharField(
        max_length=300, help_text="Added to the end of the prompt, e.g. “cinematic lighting, 35mm film”."
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "prompt preset"

    def __str__(self) -> str:
        return self.name


class ProviderStats(EmbeddedModel):
    """What the provider (and we) measured about one job."""

    predict_seconds = models.FloatField(null=True, blank=True)
    provider_total_seconds = models.FloatField(null=True, blank=True)
    download_ms = models.IntegerField(null=True, blank=True)
    output_bytes = models.IntegerField(null=True, blank=True)
    provider_status = models.CharField(max_length=32, blank=True)
    # The catalog's price when the job ran, exact: prices are fractions of a cent (0.3, 2.5).
    cost_cents = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)


class JobQuerySet(ShapedQuerySet):
    def for_user(self, user) -> JobQuerySet:
        return self.filter(user_id=user.pk)

    def active(self) -> JobQuerySet:
        return self.filter(status__in=Job.ACTIVE)


class Job(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("generation status", "Queued")
        PROCESSING = "processing", pgettext_lazy("generation status", "Processing")
        COMPLETED = "completed", pgettext_lazy("generation status", "Completed")
        FAILED = "failed", pgettext_lazy("generation status", "Failed")
        CANCELED = "canceled", pgettext_lazy("generation status", "Canceled")
        EXPIRED = "expired", pgettext_lazy("generation status", "Expired")

    class AspectRatio(models.TextChoices):
        SQUARE = "1:1", _("1:1 square")
        WIDE = "16:9", _("16:9 wide")
        TALL = "9:16", _("9:16 tall")
        LANDSCAPE = "4:3", _("4:3 landscape")
        PORTRAIT = "3:4", _("3:4 portrait")

    class Quality(models.TextChoices):
        STANDARD = "standard", _("Standard")
        HD = "hd", "HD"

    class RefundReason(models.TextChoices):
        NONE = "", "—"
        PROVIDER_FAILED = "provider_failed", _("The model failed")
        PROVIDER_ERROR = "provider_error", _("The provider could not be reached")
        NO_OUTPUT = "no_output", _("The model returned no image")
        UNSAFE_OUTPUT = "unsafe_output", _("The output could not be fetched safely")
        BAD_OUTPUT = "bad_output", _("The output was not a valid image")
        CANCELED = "canceled", pgettext_lazy("refund reason", "Canceled")
        PROVIDER_CANCELED = "provider_canceled", _("Canceled by the provider")
        EXPIRED = "expired", _("Took too long")
        CONSENT_REVOKED = "consent_revoked", _("The model's consent was withdrawn")

    class ModelType(models.TextChoices):
        NONE = "", "—"
        AI_AVATAR = "AI_AVATAR", _("AI avatar")
        HUMAN_MODEL = "HUMAN_MODEL", _("Human model")

    ACTIVE = (Status.PENDING, Status.PROCESSING)
    TERMINAL = (Status.COMPLETED, Status.FAILED, Status.CANCELED, Status.EXPIRED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEXT_TO_IMAGE)
    ai_model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="jobs")
    personal_model = models.ForeignKey(
        "PersonalModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    prompt = models.TextField(validators=[MaxLengthValidator(PROMPT_MAX)])
    negative_prompt = models.TextField(blank=True, validators=[MaxLengthValidator(PROMPT_MAX)])
    style = models.CharField(max_length=40, blank=True)
    aspect_ratio = models.CharField(max_length=5, choices=AspectRatio.choices, default=AspectRatio.SQUARE)
    quality = models.CharField(max_length=10, choices=Quality.choices, default=Quality.STANDARD)
    num_outputs = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    seed = models.BigIntegerField()
    steps = models.PositiveSmallIntegerField(null=True, blank=True)
    guidance = models.FloatField(null=True, blank=True)
    source_image = models.ForeignKey(
        "Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived_jobs"
    )
    # Someone else's public image this job remixes (its creator earned coins for it), for the
    # job page ("Remix of @alice's image") and the audit of those coins.
    remix_of = models.ForeignKey(
        "Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="remixes"
    )

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    credits_charged = models.PositiveIntegerField(default=0)
    credits_refunded = models.PositiveIntegerField(default=0)
    refund_reason = models.CharField(max_length=24, choices=RefundReason.choices, blank=True, default="")
    provider = models.CharField(max_length=16, blank=True)
    provider_job_id = models.CharField(max_length=100, blank=True, db_index=True)
    provider_stats = EmbeddedModelField(ProviderStats, null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, help_text="Shown to the user.")
    error_detail = models.TextField(blank=True, help_text="For staff; never shown to users.")

    submitted_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(db_index=True)
    last_provider_update_at = models.DateTimeField(null=True, blank=True)

    # Claims: who is running the task and who is storing the outputs.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finalise_token = models.CharField(max_length=32, blank=True)
    finalise_started_at = models.DateTimeField(null=True, blank=True)
    provider_calls = models.PositiveSmallIntegerField(default=0)

    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    is_public = models.BooleanField(default=False)

    # Marketplace (seed 001 ``generations``): who appears in the picture, and what it earned them.
    model_type = models.CharField(max_length=12, choices=ModelType.choices, blank=True, default="")
    human_model = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="modelled_jobs",
    )
    avatar = models.ForeignKey(
        "AIAvatar", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    category = models.CharField(max_length=20, blank=True)
    consent_request = models.ForeignKey(
        "ConsentRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # The likeness release version the model had signed when the job was submitted.
    release_version = models.CharField(max_length=20, blank=True)
    # What the generation earns its model: the accrued royalty, 0 once it is clawed back.
    royalty_cents = models.PositiveIntegerField(default=0)
    # Deleted by its owner (generation.gallery): gone from their pages at once; the document
    # stays, because a human-model job is also the model's license record.
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="genjob_user_id"),
            models.Index(fields=["user", "-submitted_at"], name="genjob_business_time"),
            models.Index(fields=["human_model", "-submitted_at"], name="genjob_model_time"),
            models.Index(fields=["status", "deadline_at"], name="genjob_status_deadline"),
            models.Index(fields=["status", "last_provider_update_at"], name="genjob_status_news"),
            # My history (deleted_at=None is sent as {deleted_at: null}, modelsnapper.queryshape).
            models.Index(fields=["user", "deleted_at", "-id"], name="genjob_user_live_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("generation:job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def charge_key(self) -> str:
        return f"gen:{self.pk}:charge"

    @property
    def refund_key(self) -> str:
        return f"gen:{self.pk}:refund"

    @property
    def model_label(self) -> str:
        """The model as its owner knows it: a personal model by its name (or as deleted)."""
        if not self.personal_model_id:
            return self.ai_model.name
        personal = self.personal_model
        if personal is None or personal.is_deleted:
            return gettext("A deleted personal model")
        return personal.name

    @property
    def parameters(self) -> dict:
        """What the provider gets besides the prompt; also what a remix copies."""
        return {
            "negative_prompt": self.negative_prompt,
            "style": self.style,
            "aspect_ratio": self.aspect_ratio,
            "quality": self.quality,
            "num_outputs": self.num_outputs,
            "seed": self.seed,
            "steps": self.steps,
            "guidance": self.guidance,
        }


class GenerationSlots(models.Model):
    """How many of a user's jobs are in flight: the write that enforces GENERATION_MAX_IN_FLIGHT.

    A submission claims a slot with a conditional ``$inc`` (``in_flight < cap``) in the
    transaction that inserts the job and charges it; the transition that ends the job
    (``job_end`` or the completion) gives it back in its own transaction, so each job
    takes and returns one slot exactly once. Counting jobs before inserting could not
    hold under concurrent submissions.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_slots"
    )
    in_flight = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "generation slots"
        verbose_name_plural = "generation slots"

    def __str__(self) -> str:
        return f"{self.in_flight} in flight"


class JobEvent(models.Model):
    """One line of a job's timeline: an insert never loses a concurrent line."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    name = models.CharField(max_length=40)
    message = models.CharField(max_length=300, blank=True)
    # The message's English msgid and parameters (modelsnapper.sentences), shown in the
    # reader's language; None on lines written before or with a fixed sentence.
    sentence = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["job", "at"], name="genevent_job_at")]

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


def image_upload_to(instance: Image, filename: str) -> str:
    # Everything under private/<user id>/ is served to its owner only.
    return f"private/{instance.user_id}/images/{filename}"


class ImageQuerySet(ShapedQuerySet):
    def shown(self) -> ImageQuerySet:
        """What pages may show: delivered by its job and not deleted by its owner (the one rule)."""
        return self.filter(delivered=True, deleted_at=None)


class Image(models.Model):
    """An uploaded, generated or edited picture, with its lineage (seed 002)."""

    class Type(models.TextChoices):
        UPLOADED = "uploaded", pgettext_lazy("image type", "Uploaded")
        GENERATED = "generated", pgettext_lazy("image type", "Generated")
        EDITED = "edited", pgettext_lazy("image type", "Edited")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_images"
    )
    image_type = models.CharField(max_length=10, choices=Type.choices)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="images")
    output_index = models.PositiveSmallIntegerField(null=True, blank=True)
    # A generation's outputs are stored before the job completes and stay hidden until the
    # completion (which re-checks consent) flips them, in its transaction. Never shown while False.
    delivered = models.BooleanField(default=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The image this one was made from.",
    )
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="descendants",
        help_text="The first image of the lineage.",
    )
    file = models.FileField(upload_to=image_upload_to, max_length=300)
    original_filename = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=8)
    file_size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    prompt = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Content Credentials (generation.provenance): the manifest signed into the stored file,
    # empty for uploads and for outputs made while signing was off. The prompt goes into the
    # credentials only when the owner says so.
    credentials_label = models.CharField(max_length=80, blank=True, default="")
    credentials_sha256 = models.CharField(max_length=64, blank=True, default="")
    publish_prompt_in_credentials = models.BooleanField(default=False)
    # WebP copies at a few widths (modelsnapper.variants), kept here so pages render without a query.
    variants = models.JSONField(default=dict, blank=True, editable=False)
    # The owner's gallery (generation.gallery): a star and the one board the image is filed in.
    is_favourite = models.BooleanField(default=False)
    board = models.ForeignKey(
        "Board", null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    # Soft delete: hidden everywhere at once; the stored files leave after
    # GENERATION_DELETE_GRACE_DAYS (``purged_at``). The document stays for audit and for the
    # license record of a human-model image. ``purge_names``: other stored files that leave
    # with it (the copies in posts published from it).
    deleted_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    purge_names = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    # social.search: the words and prefixes this is found by (kept in step on every save).
    search_terms = ArrayField(models.CharField(max_length=40), default=list, blank=True, editable=False)
    # generation.quality: the picture's measure (0–1: sharpness, exposure, colourfulness), taken
    # once when the output is stored, and the score shown (0–10, the job's rating blended in).
    quality_measure = models.FloatField(null=True, blank=True, editable=False)
    quality_score = models.FloatField(null=True, blank=True, editable=False)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["is_public", "search_terms", "-id"], name="genimage_search"),
            models.Index(fields=["user", "-id"], name="genimage_user_id"),
            # /verify/ finds our image from the manifest label a file carries.
            models.Index(fields=["credentials_label"], name="genimage_credentials"),
            models.Index(fields=["board", "-id"], name="genimage_board_id"),
            models.Index(fields=["user", "is_favourite", "-id"], name="genimage_user_fav_id"),
            models.Index(fields=["deleted_at", "purged_at"], name="genimage_purge"),
            # Shown images (delivered, not deleted): how many are mine (dashboard), and the
            # history page's jobs' pictures (job_id $in after the equalities).
            models.Index(fields=["user", "delivered", "deleted_at"], name="genimage_user_shown"),
            models.Index(
                fields=["delivered", "deleted_at", "job", "output_index"], name="genimage_shown_job"
            ),
        ]
        constraints = [
            # One copy of each output, however many times a completion arrives.
            models.UniqueConstraint(
                fields=["job", "output_index"],
                name="genimage_one_per_output",
                condition=models.Q(output_index__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_image_type_display()} image {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("generation:image", args=[self.pk])

    @property
    def url(self) -> str:
        """Where pages point an <img> (see modelsnapper.media.link_for)."""
        return link_for(
            self.file, public=self.is_public, view_url=reverse("generation:image_file", args=[self.pk])
        )

    @property
    def lineage_root(self) -> Image:
        return self.original or self


class Board(models.Model):
    """A user's own folder of images (the gallery); deleting it keeps its images, unfiled."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="image_boards")
    name = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Two boards of one user never share a name, however fast they are created or renamed.
            models.UniqueConstraint(fields=["user", "name"], name="genboard_user_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("generation:board", args=[self.pk])


class WebhookEvent(models.Model):
    """A provider webhook, recorded once per webhook id (unique index)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    provider = models.CharField(max_length=16, default="replicate")
    webhook_id = models.CharField(max_length=200, unique=True)
    provider_job_id = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.webhook_id


class FeedExample(models.Model):
    """A staff-curated example on the landing page (seed 000 Feed)."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="feed_examples")
    prompt = models.CharField(max_length=PROMPT_MAX)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "-id"]

    def __str__(self) -> str:
        return self.prompt[:60]

    @property
    def image_url(self) -> str:
        return self.image.url


class PersonalModelQuerySet(models.QuerySet):
    def for_user(self, user) -> PersonalModelQuerySet:
        return self.filter(user_id=user.pk)

    def live(self) -> PersonalModelQuerySet:
        """Not deleted by its owner."""
        return self.filter(deleted_at__isnull=True)

    def usable(self) -> PersonalModelQuerySet:
        """What the create page offers: live, with a trained version (kept while a retraining runs)."""
        return self.live().filter(version__gt="")


class PersonalModel(models.Model):
    """One of a user's trained models (seed 000 Users.models: each with its status and version).

    A user keeps up to ``GENERATION_PERSONAL_MODELS_MAX``, each in a numbered slot: the unique
    (user, slot) index is the write that enforces the limit and the unique (user, name_key)
    index the unique name, so concurrent requests cannot pass either. Deleting keeps the
    document (jobs made with it still say so) and frees both: slot 0 and an empty key leave
    the partial indexes.
    """

    class Status(models.TextChoices):
        NONE = "none", pgettext_lazy("personal model status", "Not trained")
        TRAINING = "training", pgettext_lazy("personal model status", "Training")
        READY = "ready", pgettext_lazy("personal model status", "Ready")
        FAILED = "failed", pgettext_lazy("personal model status", "Failed")

    NAME_MAX = 60

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_models"
    )
    name = models.CharField(max_length=NAME_MAX, default="My model")
    # The name folded (case, spaces) for the unique index; "" once deleted.
    name_key = models.CharField(max_length=NAME_MAX, blank=True, default="", editable=False)
    # 1..GENERATION_PERSONAL_MODELS_MAX while live; 0 once deleted.
    slot = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NONE)
    current_training = models.ForeignKey(
        "TrainingRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_model = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=200, blank=True)
    weights = models.CharField(max_length=500, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # How many TrainingPhoto documents this model holds. Uploads reserve room with a
    # conditional $inc on this one document, so concurrent uploads cannot pass the cap.
    photo_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalModelQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "slot"], condition=models.Q(slot__gt=0), name="genpm_user_slot"
            ),
            models.UniqueConstraint(
                fields=["user", "name_key"], condition=models.Q(name_key__gt=""), name="genpm_user_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_usable(self) -> bool:
        return not self.is_deleted and bool(self.version)


def photo_upload_to(instance: TrainingPhoto, filename: str) -> str:
    return f"private/{instance.user_id}/training/{filename}"


class TrainingPhoto(models.Model):
    """A photo for training (seed 000 Photos; the bytes live in our media storage)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_photos"
    )
    # The model these photos train (each model has its own photos).
    personal_model = models.ForeignKey(
        PersonalModel, null=True, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(upload_to=photo_upload_to, max_length=300)
    # WebP copies at a few widths (modelsnapper.variants), kept here so pages render without a query.
    variants = models.JSONField(default=dict, blank=True, editable=False)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "id"], name="gentphoto_user_id")]

    def __str__(self) -> str:
        return self.filename


class TrainingRun(models.Model):
    """One training of a personal model (seed 000 TrainingRuns)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("training status", "Queued")
        PROCESSING = "processing", pgettext_lazy("training status", "Training")
        SUCCEEDED = "succeeded", pgettext_lazy("training status", "Succeeded")
        FAILED = "failed", pgettext_lazy("training status", "Failed")
        CANCELED = "canceled", pgettext_lazy("training status", "Canceled")
        EXPIRED = "expired", pgettext_lazy("training status", "Expired")

    ACTIVE = (Status.PENDING, Status.PROCESSING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_runs")
    personal_model = models.ForeignKey(
        PersonalModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="training_runs"
    )
    base_model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="training_runs")
    model_name = models.CharField(max_length=100)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    provider = models.CharField(max_length=16, blank=True)
    training_id = models.CharField(max_length=100, blank=True, db_index=True)
    replicate_model_id = models.CharField(max_length=200, blank=True)
    photos_archive = models.CharField(max_length=300, blank=True, help_text="Storage name of the zip sent.")
    photo_count = models.PositiveSmallIntegerField(default=0)
    version = models.CharField(max_length=200, blank=True)
    weights = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    credits_charged = models.PositiveIntegerField(default=0)
    credits_refunded = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField()
    last_provider_update_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One run in progress per user: a second concurrent start fails at the insert,
            # before anything is charged.
            models.UniqueConstraint(
                fields=["user"],
                name="gentrain_one_active_per_user",
                condition=models.Q(status__in=["pending", "processing"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Training {self.pk} ({self.status})"

    @property
    def charge_key(self) -> str:
        return f"gen:train:{self.pk}:charge"

    @property
    def refund_key(self) -> str:
        return f"gen:train:{self.pk}:refund"


def avatar_upload_to(instance: AIAvatar, filename: str) -> str:
    return f"avatars/ai/{filename}"


class AIAvatar(models.Model):
    """A staff-managed synthetic model any business may use, without consent or royalty (seed 001)."""

    name = models.CharField(max_length=100)
    reference_image = models.ImageField(upload_to=avatar_upload_to, max_length=300, blank=True)
    # WebP copies at a few widths (modelsnapper.variants), kept here so pages render without a query.
    variants = models.JSONField(default=dict, blank=True, editable=False)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "AI avatar"

    def __str__(self) -> str:
        return self.name


class ConsentRequest(models.Model):
    """A business asking a human model for consent (seed 001 ``consent_requests``).

    One per (business, model), held by a unique compound index: asking twice
    returns the existing request. Status changes are conditional updates and
    each writes an append-only :class:`ConsentEvent`.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("consent status", "Requested")
        APPROVED = "approved", pgettext_lazy("consent status", "Approved")
        REJECTED = "rejected", pgettext_lazy("consent status", "Rejected")
        REVOKED = "revoked", pgettext_lazy("consent status", "Revoked")

    business = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_requests_sent"
    )
    model = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_requests_received"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    message = models.CharField(max_length=500, blank=True)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Written by every change of the model's terms and by every submission and delivery under
    # this consent, so a submission or completion and a revocation (or scope change) committing
    # at once conflict on this document and one of them retries and sees the other
    # (see generation.services).
    scope_changed_at = models.DateTimeField(null=True, blank=True)
    last_submitted_at = models.DateTimeField(null=True, blank=True)
    last_delivered_at = models.DateTimeField(null=True, blank=True)

    objects = ShapedManager()  # (business, model) lookups use the compound index on SecantusDB

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["business", "model"], name="consent_business_model"),
        ]
        indexes = [models.Index(fields=["model", "status"], name="consent_model_status")]

    def __str__(self) -> str:
        return f"{self.business_id} → {self.model_id} ({self.status})"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class ConsentEvent(models.Model):
    """One step of a consent request's history; never edited or deleted by the app."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("consent event", "Requested")
        APPROVED = "approved", pgettext_lazy("consent event", "Approved")
        REJECTED = "rejected", pgettext_lazy("consent event", "Rejected")
        REVOKED = "revoked", pgettext_lazy("consent event", "Revoked")
        SCOPE_CHANGED = "scope_changed", pgettext_lazy("consent event", "Scope changed")

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["request", "created"], name="consentevent_request_at")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_id}"
