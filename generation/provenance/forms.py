from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from modelsnapper.images import ACCEPT, check_image_upload

NOT_READABLE = _("This is not an image we can read. Upload a JPG, PNG, GIF or WEBP file.")


class VerifyForm(forms.Form):
    """One image to read; it cleans to ``(bytes, ImageFormat)`` exactly as uploaded."""

    image = forms.FileField(
        label=_("Image to check"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Choose an image to check."), "empty": NOT_READABLE},
    )

    def clean_image(self):
        try:
            return check_image_upload(self.cleaned_data["image"])
        except ValidationError as exc:
            if exc.code in ("invalid_type", "invalid_image", "empty"):
                raise ValidationError(NOT_READABLE, code=exc.code) from None
            raise


class PublishPromptForm(forms.Form):
    publish = forms.BooleanField(required=False)
