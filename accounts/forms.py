from __future__ import annotations

import re

from allauth.account.adapter import get_adapter
from allauth.account.internal.userkit import filter_users_by_username
from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.usernames import USERNAME_RULE, validate_username
from modelsnapper.images import ImageUploadField

BIO_MAX_LENGTH = 500
PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ().\-]{4,30}")
LOCALE_PATTERN = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
IMAGE_FIELDS = ("avatar", "cover_image")


class UsernameChangeMixin:
    """A model form's username field that checks the rule only when the name changes.

    Usernames stored before seed 003's rule (``accounts.usernames``) stay valid for their
    owner: saving other fields never asks them to rename, and they still sign in. A new or
    changed name is checked: the rule first, then taken and look-alike names.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        # The model's length and rule validators run in clean_username, for changed names only.
        field.validators = []
        field.max_length = None
        field.widget.attrs.pop("maxlength", None)
        self._saved_username = self.instance.username

    def username_changed(self) -> bool:
        return self.cleaned_data.get("username") != self._saved_username

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if username == self._saved_username:
            # Unchanged: nothing to check, and an account that looked like another before
            # look-alike checks existed (or predates the rule) keeps its name.
            return username
        validate_username(username)
        # allauth compares usernames case-insensitively; so do we.
        if filter_users_by_username(username).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This username is already taken."), code="username_taken")
        get_adapter().clean_username(username, shallow=True, exclude=self.instance)
        return username

    def _get_validation_exclusions(self):
        excluded = super()._get_validation_exclusions()
        if not self.username_changed():
            excluded.add("username")
        return excluded


class ProfileForm(UsernameChangeMixin, forms.ModelForm):
    """Profile fields plus two image uploads, which the service stores.

    The images are plain form fields (not model fields on the form) so that
    nothing reaches storage until validation has passed and the service runs.
    """

    avatar = ImageUploadField(required=False, label=_("New profile photo"), widget=forms.FileInput)
    remove_avatar = forms.BooleanField(required=False, label=_("Remove the current profile photo"))
    cover_image = ImageUploadField(required=False, label=_("New cover image"), widget=forms.FileInput)
    remove_cover_image = forms.BooleanField(required=False, label=_("Remove the current cover image"))
    website = forms.URLField(
        required=False,
        label=_("Website"),
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "username",
            "given_name",
            "family_name",
            "date_of_birth",
            "gender",
            "locale",
            "bio",
            "website",
            "location",
            "phone",
        ]
        labels = {
            "full_name": _("Display name"),
            "username": _("Username"),
            "given_name": _("Given name"),
            "family_name": _("Family name"),
            "date_of_birth": _("Date of birth"),
            "gender": _("Gender"),
            "locale": _("Locale"),
            "bio": _("Bio"),
            "location": _("Location"),
            "phone": _("Phone"),
        }
        help_texts = {
            "username": format_lazy("{} {}", USERNAME_RULE, _("Your profile lives at /u/<username>/.")),
            "full_name": _("Shown on your profile and posts."),
            "locale": _("For example en-GB or es-MX."),
        }
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": BIO_MAX_LENGTH}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in IMAGE_FIELDS:
            if not getattr(self.instance, name):
                del self.fields[f"remove_{name}"]
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["given_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["family_name"].widget.attrs["autocomplete"] = "family-name"

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born >= timezone.localdate():
            raise forms.ValidationError(_("Enter a date in the past."), code="future_date")
        if born and born.year < 1900:
            raise forms.ValidationError(_("Enter a year after 1900."), code="too_old")
        return born

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE_PATTERN.fullmatch(phone):
            raise forms.ValidationError(
                _("Enter a phone number using digits, spaces and + ( ) - only."), code="invalid_phone"
            )
        return phone

    def clean_locale(self) -> str:
        locale = self.cleaned_data.get("locale", "").strip()
        if locale and not LOCALE_PATTERN.fullmatch(locale):
            raise forms.ValidationError(
                _("Enter a locale such as en, en-GB or pt-BR."), code="invalid_locale"
            )
        return locale

    def validate_unique(self):
        # clean_username already checked (case-insensitively); the unique index backs it up.
        pass

    def image_change(self, name: str):
        """A new file, ``False`` to remove the current one, or ``None`` to keep it (what the service takes)."""
        value = self.cleaned_data.get(name)
        if isinstance(value, ContentFile):  # validated and re-encoded by ImageUploadField
            return value
        if self.cleaned_data.get(f"remove_{name}"):
            return False
        return None

    @property
    def detail_fields(self) -> list:
        return [self[name] for name in self.Meta.fields]

    def photo_fields(self, name: str) -> list:
        return [self[field] for field in (name, f"remove_{name}") if field in self.fields]

    @property
    def avatar_fields(self) -> list:
        return self.photo_fields("avatar")

    @property
    def cover_image_fields(self) -> list:
        return self.photo_fields("cover_image")

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PreferencesForm(forms.Form):
    dark_mode = forms.BooleanField(required=False, label=_("Dark mode"))
    email_notifications = forms.BooleanField(required=False, label=_("Email notifications"))
    push_notifications = forms.BooleanField(required=False, label=_("Push notifications"))
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language"))


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=User.Role.choices, widget=forms.RadioSelect, label=_("I use ModelSnapper as")
    )
    business_name = forms.CharField(
        required=False,
        max_length=200,
        label=_("Business name"),
        help_text=_("Required for business accounts; shown on invoices."),
    )
    display_name = forms.CharField(
        required=False,
        max_length=120,
        label=_("Model display name"),
        help_text=_("Required for model accounts; what businesses see."),
    )

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == User.Role.BUSINESS and not cleaned.get("business_name", "").strip():
            self.add_error("business_name", _("Enter your business name to use a business account."))
        if role == User.Role.MODEL and not cleaned.get("display_name", "").strip():
            self.add_error("display_name", _("Enter a display name to use a model account."))
        return cleaned


class DeleteAccountForm(forms.Form):
    """Confirms with the password, or by typing the username when the account has none (Google sign-in)."""

    password = forms.CharField(
        required=False,
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    username = forms.CharField(required=False, label=_("Type your username to confirm"))

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.uses_password:
            del self.fields["username"]
            self.fields["password"].required = True
        else:
            del self.fields["password"]
            self.fields["username"].required = True
            self.fields["username"].help_text = _("Type %(username)s exactly.") % {"username": user.username}

    @property
    def uses_password(self) -> bool:
        return self.user.has_usable_password()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not correct."), code="wrong_password")
        return password

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if username != self.user.username:
            raise forms.ValidationError(_("That is not your username."), code="wrong_username")
        return username
