from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from modelsnapper.images import ACCEPT, ImageUploadField, validate_image_upload
from social import geo
from social.media import validate_video_upload
from social.models import (
    CAPTION_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    Group,
    Notification,
    Post,
    Report,
    SaveCollection,
    Story,
)


def split_tags(text: str) -> list[str]:
    return [t for t in (text or "").replace(",", " ").split() if t.strip("#")]


# Seed 003: an "Image" post is the picture alone; words under a picture make it "Image and text".
IMAGE_POST_CAPTION_REFUSED = _(
    "An “Image” post is the picture alone, so it has no caption. Remove the caption, "
    "or choose “Image and text” to post the picture with words."
)


def _refuse_image_post_caption(form: forms.Form, category: str | None) -> None:
    """The one check of that rule, for the create and the edit form."""
    if category == Post.Category.IMAGE and (form.cleaned_data.get("caption") or "").strip():
        form.add_error("caption", IMAGE_POST_CAPTION_REFUSED)


TAGS_HELP = _("Up to 30, separated by spaces or commas.")


class PublishGenerationForm(forms.Form):
    caption = forms.CharField(
        max_length=CAPTION_MAX,
        required=False,
        label=_("Caption"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("#hashtags become tags; @username mentions notify people."),
    )
    tags = forms.CharField(required=False, label=_("Tags"), help_text=TAGS_HELP)
    visibility = forms.ChoiceField(
        choices=Post.Visibility.choices, initial=Post.Visibility.PUBLIC, label=_("Who can see it")
    )


def _coordinate_fields() -> tuple[forms.FloatField, forms.FloatField]:
    """Optional latitude and longitude of the post's place (social.geo)."""

    def field(label, example: str, invalid) -> forms.FloatField:
        return forms.FloatField(
            required=False,
            label=label,
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "placeholder": example}),
            error_messages={"invalid": invalid},
        )

    return (
        field(_("Latitude (optional)"), "48.8566", _("Enter the latitude in degrees, for example 48.8566.")),
        field(_("Longitude (optional)"), "2.3522", _("Enter the longitude in degrees, for example 2.3522.")),
    )


def _clean_coordinates(form: forms.Form):
    """``clean_longitude`` of the post forms: geo's one rule, its message on the field it names."""
    data = form.cleaned_data
    longitude = data.get("longitude")
    if "latitude" in form.errors or "location_name" in form.errors:
        return longitude
    problem = geo.coordinates_problem(data.get("latitude"), longitude, data.get("location_name", ""))
    if problem:
        field, message = problem
        if field == "longitude":
            raise ValidationError(message)
        form.add_error(field, message)
    return longitude


class PostForm(forms.Form):
    category = forms.ChoiceField(choices=Post.Category.choices, label=_("Type of post"))
    title = forms.CharField(max_length=TITLE_MAX, required=False, label=_("Title"))
    caption = forms.CharField(
        max_length=CAPTION_MAX,
        required=False,
        label=_("Caption"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "#hashtags become tags; @username mentions notify people. An “Image” post has no caption."
        ),
    )
    media = forms.FileField(
        required=False,
        label=_("Picture or video"),
        help_text=_("JPG, PNG, GIF or WEBP image; MP4 or WebM for video posts."),
    )
    tags = forms.CharField(required=False, label=_("Tags"), help_text=TAGS_HELP)
    location_name = forms.CharField(max_length=120, required=False, label=_("Location"))
    latitude, longitude = _coordinate_fields()
    clean_longitude = _clean_coordinates
    visibility = forms.ChoiceField(
        choices=Post.Visibility.choices, initial=Post.Visibility.PUBLIC, label=_("Who can see it")
    )
    status = forms.ChoiceField(choices=Post.Status.choices, initial=Post.Status.PUBLISHED, label=_("Status"))

    def clean(self):
        data = super().clean()
        category, upload = data.get("category"), data.get("media")
        if not category:
            return data
        _refuse_image_post_caption(self, category)
        if category in Post.VIDEO_CATEGORIES:
            if not upload:
                self.add_error("media", _("A video post needs an MP4 or WebM video."))
            else:
                short = category == Post.Category.SHORT
                try:
                    data["media"] = validate_video_upload(
                        upload, max_seconds=settings.SOCIAL_SHORT_MAX_SECONDS if short else None
                    )
                except ValidationError as exc:
                    self.add_error("media", exc)
        elif category in Post.IMAGE_CATEGORIES:
            if not upload:
                self.add_error("media", _("An image post needs an image."))
            else:
                try:
                    data["media"] = validate_image_upload(upload)
                except ValidationError as exc:
                    self.add_error("media", exc)
        else:
            if upload:
                self.add_error("media", _("A text post has no media; choose “Image and text” instead."))
            if not (data.get("caption") or "").strip() and not (data.get("title") or "").strip():
                self.add_error("caption", _("Write something for a text post."))
        return data


class GroupPostForm(PostForm):
    """A post from a group's page: the group decides who sees it, and it is published."""

    visibility = None
    status = None


class PostEditForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, required=False, label=_("Title"))
    caption = forms.CharField(
        max_length=CAPTION_MAX, required=False, label=_("Caption"), widget=forms.Textarea(attrs={"rows": 5})
    )
    tags = forms.CharField(required=False, label=_("Tags"))
    location_name = forms.CharField(max_length=120, required=False, label=_("Location"))
    latitude, longitude = _coordinate_fields()
    clean_longitude = _clean_coordinates
    visibility = forms.ChoiceField(choices=Post.Visibility.choices, label=_("Who can see it"))
    status = forms.ChoiceField(choices=Post.Status.choices, label=_("Status"))

    def __init__(self, *args, category: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category  # the post's own (the edit form does not change it)
        if category == Post.Category.IMAGE:
            self.fields["caption"].help_text = _(
                "An “Image” post is the picture alone: leave the caption empty."
            )

    def clean(self):
        data = super().clean()
        _refuse_image_post_caption(self, self.category)
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment")
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput)


class CollectionNameField(forms.CharField):
    """A collection's name as typed or picked; the default's label, in any language, names the default."""

    def to_python(self, value):
        name = SaveCollection.name_typed(super().to_python(value))
        return "" if name == SaveCollection.DEFAULT_NAME else name  # empty means the default


class SaveForm(forms.Form):
    collection = CollectionNameField(
        max_length=60, required=False, label=_("Collection"), help_text=_("Leave empty for “Saved Items”.")
    )
    notes = forms.CharField(
        max_length=500, required=False, label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SaveEditForm(forms.Form):
    """Move a saved post (to an existing collection, offered in a list, or a new one) and edit its note."""

    collection = CollectionNameField(
        max_length=60,
        required=False,
        label=_("Collection"),
        help_text=_("Pick a collection or type a new name; empty means “Saved Items”."),
    )
    notes = forms.CharField(
        max_length=500, required=False, label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, collection_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        if collection_names:
            self.fields["collection"].widget.attrs["list"] = "collection-names"
        self.collection_names = list(collection_names)


class CollectionRenameForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("New name"))


class StoryForm(forms.Form):
    kind = forms.ChoiceField(choices=Story.Kind.choices, label=_("Type"))
    text = forms.CharField(
        max_length=500, required=False, label=_("Text"), widget=forms.Textarea(attrs={"rows": 3})
    )
    background_color = forms.CharField(
        max_length=7,
        initial="#4f46e5",
        label=_("Background colour"),
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    media = forms.FileField(
        required=False,
        label=_("Picture or video"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT + ",video/mp4,video/webm"}),
    )
    visibility = forms.ChoiceField(
        choices=Story.Visibility.choices,
        label=_("Who can see it"),
        help_text=_("Close friends: only the people on your close-friends list."),
    )
    ai_generated = forms.BooleanField(required=False, label=_("Made with AI"))
    ai_activity = forms.ChoiceField(
        choices=[("", "—"), *Story.AiActivity.choices],
        required=False,
        label=_("What the AI story shows"),
        help_text=_("Shown as a label on AI stories."),
    )

    def clean(self):
        data = super().clean()
        kind, upload = data.get("kind"), data.get("media")
        if kind == Story.Kind.IMAGE:
            if not upload:
                self.add_error("media", _("Add a picture."))
            else:
                try:
                    data["media"] = validate_image_upload(upload)
                except ValidationError as exc:
                    self.add_error("media", exc)
        elif kind == Story.Kind.VIDEO:
            if not upload:
                self.add_error("media", _("Add a video."))
            else:
                try:
                    data["media"] = validate_video_upload(upload)
                except ValidationError as exc:
                    self.add_error("media", exc)
        elif kind == Story.Kind.TEXT:
            data["media"] = None
            if not (data.get("text") or "").strip():
                self.add_error("text", _("Write the story's text."))
        return data


class GroupForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    description = forms.CharField(
        max_length=1000, required=False, label=_("Description"), widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(choices=Group.Visibility.choices, label=_("Who can see it"))
    join_approval_required = forms.BooleanField(required=False, label=_("Approve each request to join"))
    category = forms.ChoiceField(
        choices=Group.Category.choices, initial=Group.Category.GENERAL, label=_("Category")
    )
    tags = forms.CharField(required=False, label=_("Tags"))
    avatar = ImageUploadField(required=False, label=_("Group picture"))
    cover_image = ImageUploadField(required=False, label=_("Cover image"))


class GroupEditForm(GroupForm):
    """What a group's admins may change after creating it (pictures stay as they are)."""

    avatar = None
    cover_image = None


class InviteForm(forms.Form):
    username = forms.CharField(max_length=150, label=_("Username"))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, label=_("Reason"))
    details = forms.CharField(
        max_length=1000, required=False, label=_("Details"), widget=forms.Textarea(attrs={"rows": 3})
    )


class NotificationSettingsForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("E-mail me about"),
    )
