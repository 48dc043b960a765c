"""The social layer (seed 003 LeelaVerse, articles from seed 002).

Counters are denormalised and changed only by ``social.services`` with atomic
``$inc``-style updates; pages never ``count()`` a collection (O(N) on the dev
server). Uniqueness (one like per user and target, one follow per pair...) rests
on unique indexes, never on check-then-insert.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_mongodb_backend.fields import ArrayField, EmbeddedModelField, ObjectIdField
from django_mongodb_backend.models import EmbeddedModel

from modelsnapper.media import link_for
from social.indexes import TTLIndex
from social.queryshape import ShapedManager

User = settings.AUTH_USER_MODEL

CAPTION_MAX = 2500
TITLE_MAX = 200
COMMENT_MAX = 1000
MAX_TAGS = 30
TAG_MAX_LENGTH = 50
MAX_COMMENT_DEPTH = 3


class ModerationState(models.TextChoices):
    OK = "ok", _("Visible")
    HIDDEN = "hidden", _("Hidden by moderators")
    REMOVED = "removed", _("Removed by moderators")


# --- Tags -----------------------------------------------------------------------------------

# Trending score: every use adds exp((t - epoch) / tau). Ordering by the stored number is the
# same as ordering by a score that decays with half-life tau·ln2 — and it is a plain atomic
# increment, so concurrent uses never lose an update. Divide by exp((now - epoch)/tau) to show.
TREND_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
TREND_TAU_SECONDS = 2 * 24 * 3600


def trend_weight(at: datetime) -> float:
    return math.exp((at - TREND_EPOCH).total_seconds() / TREND_TAU_SECONDS)


class Tag(models.Model):
    class Category(models.TextChoices):
        AI_ART = "ai-art", _("AI art")
        PHOTOGRAPHY = "photography", _("Photography")
        VIDEO = "video", _("Video")
        DISCUSSION = "discussion", _("Discussion")
        TECH = "tech", _("Tech")
        GENERAL = "general", _("General")

    name = models.CharField(max_length=TAG_MAX_LENGTH, unique=True)
    usage_count = models.PositiveIntegerField(default=0)
    trending_score = models.FloatField(default=0.0)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.GENERAL)
    is_featured = models.BooleanField(default=False)
    last_used = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    # social.search: the words and prefixes this is found by (kept in step on every save).
    search_terms = ArrayField(models.CharField(max_length=40), default=list, blank=True, editable=False)

    objects = ShapedManager()

    class Meta:
        indexes = [
            models.Index(fields=["-trending_score"], name="tag_trending"),
            models.Index(fields=["-usage_count"], name="tag_usage"),
            models.Index(fields=["search_terms", "-id"], name="tag_search"),
            # Plain indexes for reads by name and the featured row (issue 17: a unique field's
            # index is partial, {field: {$type}}, and no planner uses it for an equality match).
            models.Index(fields=["name"], name="tag_name"),
            models.Index(fields=["is_featured", "-trending_score"], name="tag_featured_trending"),
        ]

    def __str__(self) -> str:
        return f"#{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("social:tag", kwargs={"name": self.name})

    @property
    def current_trend(self) -> float:
        """The decayed score as of now (comparable across tags)."""
        return self.trending_score / trend_weight(timezone.now())


# --- Groups ----------------------------------------------------------------------------------


class Group(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public (anyone can see and join)")
        PRIVATE = "private", _("Private (anyone can find it; members see posts)")
        SECRET = "secret", _("Secret (invitation only; hidden from non-members)")

    class Category(models.TextChoices):
        AI_ART = "AI Art", _("AI Art")
        VIDEO = "Video Generation", _("Video Generation")
        PHOTOGRAPHY = "Photography", _("Photography")
        DISCUSSION = "Discussion", _("Discussion")
        TECH = "Tech", _("Tech")
        GENERAL = "General", _("General")

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    avatar = models.ImageField(upload_to="groups/avatars/", blank=True)
    cover_image = models.ImageField(upload_to="groups/covers/", blank=True)
    # WebP copies at a few widths (modelsnapper.variants), kept here so pages render without a query.
    avatar_variants = models.JSONField(default=dict, blank=True, editable=False)
    cover_variants = models.JSONField(default=dict, blank=True, editable=False)
    creator = models.ForeignKey(User, on_delete=models.CASCADE, related_name="created_groups")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    join_approval_required = models.BooleanField(default=False)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.GENERAL)
    tags = ArrayField(models.CharField(max_length=TAG_MAX_LENGTH), default=list, blank=True)
    members_count = models.PositiveIntegerField(default=0)
    posts_count = models.PositiveIntegerField(default=0)
    # Active admins. Every change of an admin's role or membership moves it with a conditional
    # update (``admins_count__gt=1`` to lose one) in the same transaction, so a group can never
    # be left without an admin, however many admins step down at once.
    admins_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The last post or comment in the group (its creation until then); only moves forward
    # (social.services.group_activity). The groups page sorts by it.
    last_activity_at = models.DateTimeField(default=timezone.now)
    # social.search: the words and prefixes this is found by (kept in step on every save).
    search_terms = ArrayField(models.CharField(max_length=40), default=list, blank=True, editable=False)

    objects = ShapedManager()

    class Meta:
        indexes = [
            models.Index(fields=["is_active", "search_terms", "-id"], name="group_search"),
            models.Index(fields=["is_active", "slug"], name="group_active_slug"),  # the group page
            models.Index(fields=["visibility", "-members_count"], name="group_vis_members"),
            models.Index(fields=["category", "visibility"], name="group_cat_vis"),
            # The groups page's "largest" and "most active" orders, keyset-paged (-id breaks ties).
            models.Index(
                fields=["is_active", "visibility", "-members_count", "-id"], name="group_active_size"
            ),
            models.Index(
                fields=["is_active", "visibility", "-last_activity_at", "-id"], name="group_active_activity"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("social:group_detail", kwargs={"slug": self.slug})


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", pgettext_lazy("group role", "Admin")
        MODERATOR = "moderator", _("Moderator")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Member")
        PENDING = "pending", _("Asked to join")
        INVITED = "invited", _("Invited")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="uniq_group_member")]
        indexes = [
            models.Index(fields=["user", "status"], name="member_user_status"),
            models.Index(fields=["group", "user"], name="member_group_user"),  # my membership (group page)
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def can_manage(self) -> bool:
        return self.is_active and self.role in (self.Role.ADMIN, self.Role.MODERATOR)


class GroupMemberActivity(models.Model):
    """When a member last posted or commented in a group (one row per member and group).

    The group page's "active members" count is the number of rows newer than 30 days: an
    index range bounded by the group's members, however many posts and comments they wrote.
    Written by ``social.services.group_activity``; a membership that ends takes its row along.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    last_active_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="uniq_group_member_activity")]
        indexes = [models.Index(fields=["group", "-last_active_at"], name="group_activity_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} active in {self.group_id} at {self.last_active_at:%Y-%m-%d %H:%M}"


# --- Posts -----------------------------------------------------------------------------------


class AIDetails(EmbeddedModel):
    """How a post's picture was made, when it was published from one of my generations."""

    model = models.CharField(max_length=120, blank=True)
    prompt = models.TextField(blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    cost = models.IntegerField(default=0)
    seed = models.CharField(max_length=64, blank=True)
    generation_id = models.CharField(max_length=64, blank=True)


def post_media_upload_to(instance: Post, filename: str) -> str:
    # Always under private/<author>/: GridFS /media/ serves it to the author only; everyone
    # else gets it through social:post_media, which applies the post's privacy rules.
    return f"private/{instance.author_id}/posts/{filename}"


class Post(models.Model):
    class Category(models.TextChoices):
        SHORT = "short", _("Short video")
        NORMAL_VIDEO = "normal-video", _("Video")
        IMAGE = "image-post", _("Image")
        TEXT = "text-post", _("Text")
        IMAGE_TEXT = "image-text-post", _("Image and text")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        FOLLOWERS = "followers", _("Followers only")
        PRIVATE = "private", _("Only me")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("post status", "Draft")
        PUBLISHED = "published", pgettext_lazy("post status", "Published")
        ARCHIVED = "archived", pgettext_lazy("post status", "Archived")

    VIDEO_CATEGORIES = (Category.SHORT, Category.NORMAL_VIDEO)
    IMAGE_CATEGORIES = (Category.IMAGE, Category.IMAGE_TEXT)

    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="posts")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    category = models.CharField(max_length=16, choices=Category.choices)
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    caption = models.TextField(blank=True, validators=[MaxLengthValidator(CAPTION_MAX)])
    media = models.FileField(upload_to=post_media_upload_to, blank=True, max_length=300)
    thumbnail = models.FileField(upload_to=post_media_upload_to, blank=True, max_length=300)
    # WebP copies at a few widths (modelsnapper.variants), kept here so pages render without a query.
    # Of the picture for an image post, of the poster (the thumbnail) for a video post.
    variants = models.JSONField(default=dict, blank=True, editable=False)
    media_type = models.CharField(max_length=20, blank=True)
    ai_generated = models.BooleanField(default=False)
    ai_details = EmbeddedModelField(AIDetails, null=True, blank=True)
    # The generated image this post was published from ("" otherwise). One post per image and
    # author, held by a unique index; deleting the post frees the image to be published again.
    source_image = models.CharField(max_length=24, blank=True, default="")
    tags = ArrayField(models.CharField(max_length=TAG_MAX_LENGTH), default=list, blank=True)
    location_name = models.CharField(max_length=120, blank=True)
    # Optional coordinates of the place (social.geo): a GeoJSON point for the 2dsphere index,
    # and the same latitude/longitude as plain numbers for servers without one (bounding box).
    location = models.JSONField(null=True, blank=True, default=None, editable=False)
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    is_featured = models.BooleanField(default=False)
    moderation_state = models.CharField(
        max_length=8, choices=ModerationState.choices, default=ModerationState.OK
    )
    moderation_reason = models.CharField(max_length=500, blank=True)

    # Counters (exact; see services). ``hot`` = 10 × (2·likes + 3·comments + 5·shares + views/10).
    likes_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    shares_count = models.PositiveIntegerField(default=0)
    saves_count = models.PositiveIntegerField(default=0)
    views_count = models.PositiveIntegerField(default=0)
    hot = models.BigIntegerField(default=0)
    # The quality score (0–10) of the generated image the post was published from
    # (generation.quality); None for other posts. Explore's "Highest quality" sorts by it.
    quality_score = models.FloatField(null=True, blank=True, editable=False)

    # Derived flags so feeds filter on one indexed field instead of four conditions:
    # ``live``: published, not deleted, not hidden/removed. ``listed``: live and public and
    # not inside a private/secret group (what explore, trending and tag pages show).
    live = models.BooleanField(default=True)
    listed = models.BooleanField(default=True)
    closed_group = models.BooleanField(default=False)  # posted in a private or secret group

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # social.search: the words and prefixes this is found by (kept in step on every save).
    search_terms = ArrayField(models.CharField(max_length=40), default=list, blank=True, editable=False)

    objects = ShapedManager()

    class Meta:
        indexes = [
            models.Index(fields=["live", "search_terms", "-id"], name="post_search"),
            models.Index(fields=["author", "live", "-id"], name="post_author_live_id"),
            models.Index(fields=["author", "live", "category", "-id"], name="post_author_live_cat_id"),
            models.Index(fields=["live", "-id"], name="post_live_id"),
            models.Index(fields=["listed", "-id"], name="post_listed_id"),
            models.Index(fields=["listed", "category", "-id"], name="post_listed_cat_id"),
            models.Index(fields=["listed", "-hot"], name="post_listed_hot"),
            models.Index(fields=["tags"], name="post_tags"),
            models.Index(fields=["group", "-id"], name="post_group_id"),
            # Each page's filter whole in one index (SecantusDB plans an index only when it holds
            # every filtered field): a group's posts, a tag's, the featured row.
            models.Index(fields=["group", "live", "-id"], name="post_group_live_id"),
            models.Index(fields=["listed", "tags", "-id"], name="post_listed_tags_id"),
            models.Index(fields=["is_featured", "listed", "-id"], name="post_featured_listed_id"),
            models.Index(fields=["is_featured", "-id"], name="post_featured"),
            models.Index(fields=["listed", "-quality_score", "-id"], name="post_listed_quality"),
            # The following page's fallback, author_id $in [...]: SecantusDB walks an index for
            # one trailing $in after the equalities, not for a leading one.
            models.Index(fields=["live", "author", "-id"], name="post_live_author_id"),
            # social.geo's fallback where the server has no 2dsphere index (that one is made
            # by migration 0009, which skips it on a server that refuses it).
            models.Index(fields=["latitude", "longitude"], name="post_lat_lon"),
        ]
        constraints = [
            # ``__gt=""`` rather than ``!= ""``: MongoDB partial indexes accept $gt, not $ne.
            models.UniqueConstraint(
                fields=["author", "source_image"],
                condition=models.Q(source_image__gt=""),
                name="uniq_post_source_image",
            ),
        ]

    def __str__(self) -> str:
        return self.title or (self.caption[:40] if self.caption else f"{self.get_category_display()} post")

    def get_absolute_url(self) -> str:
        return reverse("social:post_detail", kwargs={"post_id": self.pk})

    @property
    def media_src(self) -> str:
        """The media's address for a page: straight at S3 for a listed public post (modelsnapper.media)."""
        return link_for(self.media, public=self.listed, view_url=reverse("social:post_media", args=[self.pk]))

    @property
    def thumbnail_src(self) -> str:
        return link_for(
            self.thumbnail, public=self.listed, view_url=reverse("social:post_thumbnail", args=[self.pk])
        )

    @property
    def is_video(self) -> bool:
        return self.category in self.VIDEO_CATEGORIES

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def compute_flags(self) -> None:
        """Recompute ``live``/``listed`` from the fields they summarise (never counters)."""
        self.live = (
            self.status == self.Status.PUBLISHED
            and self.deleted_at is None
            and self.moderation_state == ModerationState.OK
        )
        self.listed = self.live and self.visibility == self.Visibility.PUBLIC and not self.closed_group

    @property
    def trending_score(self) -> float:
        return self.hot / 10


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of this thread (itself for a top-level comment is None): one
    # query fetches every reply of a page of threads.
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=1)  # 1 = on the post, up to 3
    text = models.TextField(validators=[MaxLengthValidator(COMMENT_MAX)])
    likes_count = models.PositiveIntegerField(default=0)
    replies_count = models.PositiveIntegerField(default=0)
    edited_at = models.DateTimeField(null=True, blank=True)
    moderation_state = models.CharField(
        max_length=8, choices=ModerationState.choices, default=ModerationState.OK
    )
    moderation_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ShapedManager()

    class Meta:
        indexes = [
            models.Index(fields=["post", "parent", "id"], name="comment_post_id"),
            models.Index(fields=["root", "id"], name="comment_root_id"),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_shown(self) -> bool:
        return self.deleted_at is None and self.moderation_state == ModerationState.OK


def view_day(at: datetime) -> datetime:
    """The UTC day a view falls in: a viewer counts once per post per such day."""
    at = at.astimezone(UTC)
    return datetime(at.year, at.month, at.day, tzinfo=UTC)


class PostView(models.Model):
    """Proof that one viewer was counted for a post on one day (unique), kept two days."""

    VIEWER_KEY_MAX = 64

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    # "u:<user id>" for a signed-in viewer, "a:<keyed hash of address and browser>" otherwise.
    viewer_key = models.CharField(max_length=VIEWER_KEY_MAX)
    day = models.DateTimeField()

    objects = ShapedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "viewer_key", "day"], name="uniq_post_view_day"),
        ]
        indexes = [TTLIndex(fields=["day"], name="post_view_ttl", expire_after_seconds=2 * 24 * 3600)]

    def __str__(self) -> str:
        return f"{self.viewer_key} saw {self.post_id} on {self.day:%Y-%m-%d}"


class Like(models.Model):
    class Target(models.TextChoices):
        POST = "post", "Post"
        COMMENT = "comment", "Comment"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="likes")
    target_type = models.CharField(max_length=8, choices=Target.choices)
    target_id = ObjectIdField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target_type", "target_id"], name="uniq_like"),
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-id"], name="like_target"),
            models.Index(fields=["user", "target_type", "-id"], name="like_user"),
            models.Index(fields=["user", "target_type", "target_id"], name="like_user_target"),  # my likes
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.target_type} {self.target_id}"


class SaveCollection(models.Model):
    # The default collection's stored name is the key the services find it by; people read
    # DEFAULT_LABEL, in their language, wherever it is shown or typed (label_for, name_typed).
    DEFAULT_NAME = "Saved Items"
    DEFAULT_LABEL = pgettext_lazy("the default collection of saved posts", "Saved Items")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="save_collections")
    name = models.CharField(max_length=60)
    saves_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="uniq_collection_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("social:saved_collection", kwargs={"collection_id": self.pk})

    @property
    def is_default(self) -> bool:
        """Posts saved without naming a collection land here; it can't be renamed or deleted."""
        return self.name == self.DEFAULT_NAME

    @property
    def label(self) -> str:
        return self.label_for(self.name)

    @classmethod
    def label_for(cls, name: str) -> str:
        """A collection's name as people read it: the default's in their language, others as written."""
        return str(cls.DEFAULT_LABEL) if name == cls.DEFAULT_NAME else name

    @classmethod
    def name_typed(cls, text: str) -> str:
        """The stored name for what someone typed or picked: the default's label (in the active
        language or in English) names the default collection, not a new one named in Spanish."""
        typed = (text or "").strip()
        labels = {str(cls.DEFAULT_LABEL).casefold(), cls.DEFAULT_NAME.casefold()}
        return cls.DEFAULT_NAME if typed.casefold() in labels else typed


class Save(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saves")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="saves")
    collection = models.ForeignKey(SaveCollection, on_delete=models.CASCADE, related_name="saves")
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="uniq_save")]
        indexes = [
            models.Index(fields=["collection", "-id"], name="save_collection_id"),
            models.Index(fields=["user", "post"], name="save_user_post"),  # my saves on a page
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saved {self.post_id}"


class Share(models.Model):
    """One row per person who shared a post: shares are counted once per person."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="uniq_share")]

    def __str__(self) -> str:
        return f"{self.user_id} shared {self.post_id}"


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set")
    following = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_set")
    notifications_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follower", "following"], name="uniq_follow")]
        indexes = [
            models.Index(fields=["follower", "-id"], name="follow_follower"),
            models.Index(fields=["following", "-id"], name="follow_following"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.following_id}"


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="uniq_block")]
        # The foreign key already indexes `blocked`; a second index on it conflicts.

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


# --- Notifications -----------------------------------------------------------------------------


class Notification(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("Likes")
        COMMENT = "comment", _("Comments")
        REPLY = "reply", _("Replies")
        FOLLOW = "follow", _("New followers")
        MENTION = "mention", _("Mentions")
        SHARE = "share", _("Shares")
        GROUP_INVITE = "group_invite", _("Group invitations")
        COIN_EARNED = "coin_earned", _("Coins earned")
        GENERATION_COMPLETE = "generation_complete", _("Generation complete")
        MODERATION = "moderation", _("Moderation")
        CONSENT = "consent", _("Model consent requests and answers")
        POST = "post", _("Posts by people you follow")

    class EmailStatus(models.TextChoices):
        NONE = "", "Not e-mailed"
        PENDING = "pending", "Waiting to be e-mailed"
        SENDING = "sending", "Being e-mailed"
        SENT = "sent", "E-mailed"
        FAILED = "failed", "E-mail failed"

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    target_type = models.CharField(max_length=20, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    text = models.CharField(max_length=300, blank=True)
    # The text's English msgid and parameters (modelsnapper.sentences), shown in the reader's
    # language; None only on notices written before sentences were stored (notification_text).
    sentence = models.JSONField(null=True, blank=True, default=None)
    url = models.CharField(max_length=300, blank=True)
    read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=8, choices=EmailStatus.choices, blank=True, default="")
    # While SENDING: the worker holding the send; past it, another worker may take over.
    email_lease_until = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    # What the notice is about, for the ones that must arrive once (a job's end, a gift, a
    # post to one follower): a unique index turns a second send into a refused insert.
    key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=models.Q(key__gt=""), name="uniq_notif_key"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notif_recipient_id"),
            models.Index(fields=["recipient", "read"], name="notif_recipient_unread"),
            # Read notifications disappear 30 days after they were read; unread ones have
            # read_at = null and never expire.
            TTLIndex(fields=["read_at"], name="notif_read_ttl", expire_after_seconds=30 * 24 * 3600),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationOptOut(models.Model):
    """Per-type email opt-out (Preferences.email_notifications is the global switch)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Notification.Kind.choices)

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="uniq_notif_optout")]

    def __str__(self) -> str:
        return f"{self.user_id}: no {self.kind} e-mails"


class EmailDigest(models.Model):
    """How often a person wants their unread notifications in one e-mail (social.digests).

    ``last_period`` names the last period ("2026-12-01", "2026-W49") a digest was sent (or
    found empty) for: the send claims it with a conditional update first, so two runs of the
    beat task or the command never both send one for the same period.
    """

    class Frequency(models.TextChoices):
        OFF = "", _("Never")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="email_digest")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, blank=True, default="")
    last_period = models.CharField(max_length=12, blank=True, default="")
    last_sent_at = models.DateTimeField(null=True, blank=True)

    objects = ShapedManager()

    class Meta:
        indexes = [models.Index(fields=["frequency", "id"], name="digest_frequency_id")]

    def __str__(self) -> str:
        return f"{self.frequency or 'no'} digest for {self.user_id}"


# --- Stories -----------------------------------------------------------------------------------


def story_media_upload_to(instance: Story, filename: str) -> str:
    return f"private/{instance.author_id}/stories/{filename}"


STORY_RECORD_GRACE_SECONDS = 7 * 24 * 3600


class Story(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        TEXT = "text", _("Text")

    class Visibility(models.TextChoices):
        ALL = "all", _("Everyone")
        FOLLOWERS = "followers", _("Followers")
        CLOSE_FRIENDS = "close_friends", _("Close friends")

    class AiActivity(models.TextChoices):
        TRAINING = "training", _("Training a model")
        STREAMING = "streaming", _("Live streaming")
        GENERATING = "generating", _("Generating art")
        EXPERIMENTING = "experimenting", _("Experimenting")

    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="stories")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    media = models.FileField(upload_to=story_media_upload_to, blank=True, max_length=300)
    media_type = models.CharField(max_length=20, blank=True)
    # WebP copies at a few widths (modelsnapper.variants), kept here so pages render without a query.
    variants = models.JSONField(default=dict, blank=True, editable=False)
    text = models.CharField(max_length=500, blank=True)
    background_color = models.CharField(max_length=7, default="#4f46e5")
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.ALL)
    views_count = models.PositiveIntegerField(default=0)
    # Seed 003's aiGenerated and aiActivity: the story says it was made with AI, and what it shows.
    ai_generated = models.BooleanField(default=False)
    ai_activity = models.CharField(max_length=16, choices=AiActivity.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = ShapedManager()

    class Meta:
        indexes = [
            models.Index(fields=["author", "-expires_at"], name="story_author"),
            # The record outlives the story by a week, so the purge that deletes its media
            # file (social.services.story_media_purge) always finds it first.
            TTLIndex(
                fields=["expires_at"],
                name="story_record_ttl",
                expire_after_seconds=STORY_RECORD_GRACE_SECONDS,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} story by {self.author_id}"

    def get_absolute_url(self) -> str:
        return reverse("social:story_detail", kwargs={"story_id": self.pk})


class CloseFriend(models.Model):
    """Someone ``owner`` lets see their close-friends stories (a list the owner manages)."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    friend = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        # (The foreign key's own index on friend answers "whose close friend am I" for the strip.)
        constraints = [models.UniqueConstraint(fields=["owner", "friend"], name="uniq_close_friend")]

    def __str__(self) -> str:
        return f"{self.friend_id} is a close friend of {self.owner_id}"


class StoryView(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = ShapedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "viewer"], name="uniq_story_view")]
        indexes = [TTLIndex(fields=["expires_at"], name="story_view_ttl", expire_after_seconds=0)]

    def __str__(self) -> str:
        return f"{self.viewer_id} saw {self.story_id}"


# --- Articles (seed 002) -----------------------------------------------------------------------


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("article status", "Draft")
        PUBLISHED = "published", pgettext_lazy("article status", "Published")
        ARCHIVED = "archived", pgettext_lazy("article status", "Archived")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(
        help_text="Markdown. HTML is sanitised: scripts and event handlers never survive."
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="articles")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(default=timezone.now)
    # social.search: the words and prefixes this is found by (kept in step on every save).
    search_terms = ArrayField(models.CharField(max_length=40), default=list, blank=True, editable=False)

    objects = ShapedManager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub"),
            models.Index(fields=["status", "search_terms", "-id"], name="article_search"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("social:article_detail", kwargs={"slug": self.slug})

    @property
    def body_html(self) -> str:
        from social.markdown import render_markdown

        return render_markdown(self.body)


# --- Moderation --------------------------------------------------------------------------------


class Report(models.Model):
    class Target(models.TextChoices):
        POST = "post", "Post"
        COMMENT = "comment", "Comment"
        USER = "user", "User"

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        HARASSMENT = "harassment", _("Harassment or bullying")
        HATE = "hate", _("Hate speech")
        NUDITY = "nudity", _("Nudity or sexual content")
        VIOLENCE = "violence", _("Violence")
        IP = "ip", _("Intellectual property")
        IMPERSONATION = "impersonation", _("Impersonation")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Action taken"
        DISMISSED = "dismissed", "Dismissed"

    reporter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    target_type = models.CharField(max_length=8, choices=Target.choices)
    target_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    details = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=500, blank=True)
    handled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShapedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reporter", "target_type", "target_id"], name="uniq_report"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="report_status")]

    def __str__(self) -> str:
        return f"{self.get_target_type_display()} {self.target_id}: {self.get_reason_display()}"
