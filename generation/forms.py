from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import ModelProfile, User
from generation import selectors
from generation.marketplace.eligibility import approved_models_for, models_for
from generation.models import PROMPT_MAX, AIAvatar, AIModel, Image, Job, Kind, PersonalModel
from generation.pricing import hd_multiplier, job_cost
from generation.services import JobParameters
from generation.training import MAX_PHOTOS, photo_batch_max_bytes
from modelsnapper.images import ACCEPT, ImageUploadField, describe_excess, validate_image_upload

MY_MODEL = "my-model"  # the picker's values for personal models: "my-model:<id>"
SEED_MAX = 2**31 - 1
OUTPUT_COUNTS = (1, 2, 3, 4)


def _price_label(model: AIModel) -> str:
    per_image = job_cost(ai_model=model)
    return ngettext("%(count)d credit per image", "%(count)d credits per image", per_image) % {
        "count": per_image
    }


def personal_value(personal_model_id) -> str:
    """The picker's value for one of my personal models."""
    return f"{MY_MODEL}:{personal_model_id}"


def _personal_choices(user) -> dict[str, PersonalModel]:
    """My usable personal models by picker value (each generates through the personal catalog model)."""
    return {
        personal_value(personal.pk): personal for personal in PersonalModel.objects.usable().for_user(user)
    }


def _pickable_models(
    kinds, *, user=None, personal: dict[str, PersonalModel] | None = None
) -> dict[str, AIModel]:
    """The models the picker offers, by option value (a slug, or ``personal_value`` for each of
    ``personal``, my usable personal models)."""
    models = {
        model.slug: model
        # The catalog shoot only for who may use it (the marketplace rule).
        for model in models_for(user, AIModel.objects.filter(is_active=True, kind__in=kinds))
    }
    if personal:
        engine = AIModel.objects.filter(is_active=True, kind=Kind.PERSONAL).first()
        if engine is not None:
            models.update({value: engine for value in personal})
    return models


class PricedSelect(forms.Select):
    """A model picker whose options carry what the job would cost (``data-costs``) for the cost script.

    ``data-costs`` is ``{"standard": [1 image, 2, 3, 4], "hd": [...]}``, every number worked out
    by ``job_cost``: the page's script looks the cost up and never does the arithmetic itself,
    so the amount shown before submit is the amount the submission charges.
    ``data-source`` marks the models that can start from a picture.
    """

    def __init__(self, *args, costs: dict[str, dict] | None = None, takes_source=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.costs = costs or {}
        self.takes_source = set(takes_source)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.costs:
            option["attrs"]["data-costs"] = json.dumps(self.costs[str(value)], separators=(",", ":"))
        if str(value) in self.takes_source:
            option["attrs"]["data-source"] = "1"
        return option


def cost_table(model: AIModel) -> dict[str, list[int]]:
    """What 1–4 images of ``model`` cost at each quality (for the page's live cost line)."""
    return {
        quality: [job_cost(ai_model=model, num_outputs=count, quality=quality) for count in OUTPUT_COUNTS]
        for quality in Job.Quality.values
    }


def _use_model_picker(form, kinds, *, user=None, personal: dict[str, PersonalModel] | None = None) -> None:
    """Fill ``form``'s model picker: labels with the price per image, options with their costs.
    Each of my ``personal`` models is offered by its name."""
    personal = personal or {}
    form.pickable = _pickable_models(kinds, user=user, personal=personal)

    def label(value: str, model: AIModel) -> str:
        if value in personal:
            return _("%(name)s (my model)") % {"name": personal[value].name}
        return model.name

    form.fields["model"].widget = PricedSelect(
        choices=[
            (value, f"{label(value, model)} · {_price_label(model)}")
            for value, model in form.pickable.items()
        ],
        costs={value: cost_table(model) for value, model in form.pickable.items()},
        takes_source=[value for value, model in form.pickable.items() if model.takes_source_image],
    )


def _subject_choices(business) -> list[tuple[str, str]]:
    return [
        ("", _("Nobody in particular")),
        *[
            (f"model:{p.user_id}", _("%(name)s · human model") % {"name": p.display_name})
            for p in approved_models_for(business)
        ],
        *[
            (f"avatar:{a.pk}", _("%(name)s · AI avatar") % {"name": a.name})
            for a in AIAvatar.objects.filter(is_active=True)
        ],
    ]


class PromptField(forms.CharField):
    """A prompt box that states its limit and refuses longer text with its length.

    No ``maxlength`` attribute: a browser would cut a pasted prompt silently; the
    server says how long it is instead, and the text comes back whole to be shortened.
    """

    def __init__(self, *, what: str = gettext_lazy("The prompt"), **kwargs):
        self.what = what
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Up to %(limit)s characters.")
            % {"limit": number_format(PROMPT_MAX, force_grouping=True)},
        )
        super().__init__(strip=True, **kwargs)

    def validate(self, value):
        super().validate(value)
        if len(value) > PROMPT_MAX:
            raise ValidationError(
                _("%(what)s is %(length)s characters long; the limit is %(limit)s. Shorten it by %(excess)s.")
                % {
                    "what": self.what,
                    "length": number_format(len(value), force_grouping=True),
                    "limit": number_format(PROMPT_MAX, force_grouping=True),
                    "excess": number_format(len(value) - PROMPT_MAX, force_grouping=True),
                }
            )


class _ModelPicker:
    """Validates the ``model`` field: exists, active, right kind (each with its own sentence)."""

    allowed_kinds: tuple[str, ...] = ()

    def clean_model(self):
        slug = (self.cleaned_data.get("model") or "").strip()
        if slug.partition(":")[0] == MY_MODEL and Kind.PERSONAL in self.allowed_kinds:
            personal = _personal_choices(self.user).get(slug)
            model = AIModel.objects.filter(kind=Kind.PERSONAL, is_active=True).first()
            if personal is None or model is None:
                raise ValidationError(
                    _("That personal model is not ready (or was deleted). Pick one from the list.")
                )
            self.personal_model = personal
            return model
        model = AIModel.objects.filter(slug=slug).first()
        if model is None:
            raise ValidationError(_("Pick a model from the list."))
        if not model.is_active:
            raise ValidationError(
                _("%(name)s is not available any more. Pick another model.") % {"name": model.name}
            )
        if model.kind not in self.allowed_kinds or model.kind == Kind.PERSONAL:
            raise ValidationError(
                _("%(name)s cannot do this kind of job. Pick another model.") % {"name": model.name}
            )
        return model


class _SourcePicker:
    """Start from a picture: upload one, or pick one of mine. The create page and the edit page
    both use it, so one rule decides which pictures may be used (one of mine, shown to me).

    Forms declare the ``upload`` and ``source`` fields; ``source_required`` says whether a
    picture is needed. After ``clean``, ``source_image`` is the picked image (an upload is
    stored by the view, only once the rest of the form is valid).
    """

    source_required = False
    source_image: Image | None = None

    def _clean_source(self, data: dict) -> None:
        if self.has_error("upload"):
            return  # the upload's own error says what is wrong; "upload an image" would contradict it
        upload, source = data.get("upload"), (data.get("source") or "").strip()
        if not upload and not source:
            if self.source_required:
                raise ValidationError(_("Upload an image or pick one of yours."))
            return
        if source and not upload:
            try:
                self.source_image = selectors.image_for_user(self.user, source)
            except Http404:
                raise ValidationError(_("Pick one of your own images.")) from None

    @property
    def has_source(self) -> bool:
        return self.source_image is not None or bool(self.cleaned_data.get("upload"))


class GenerateForm(_SourcePicker, _ModelPicker, forms.Form):
    allowed_kinds = (Kind.TEXT_TO_IMAGE, Kind.IMAGE_TO_IMAGE, Kind.PERSONAL)

    prompt = PromptField(
        label=gettext_lazy("Prompt"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Describe the image you want.")},
    )
    model = forms.CharField(label=gettext_lazy("Model"), widget=forms.Select)
    negative_prompt = PromptField(
        what=gettext_lazy("The negative prompt"),
        label=gettext_lazy("Negative prompt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    style = forms.CharField(label=gettext_lazy("Style"), max_length=40, required=False)
    aspect_ratio = forms.ChoiceField(
        choices=Job.AspectRatio.choices,
        initial=Job.AspectRatio.SQUARE,
        widget=forms.RadioSelect,
        label=gettext_lazy("Shape"),
    )
    quality = forms.ChoiceField(
        label=gettext_lazy("Quality"),
        choices=Job.Quality.choices,
        initial=Job.Quality.STANDARD,
        widget=forms.RadioSelect,
    )
    # Radio buttons, but still an integer field: an out-of-range value gets its own sentence.
    num_outputs = forms.IntegerField(
        min_value=1,
        max_value=len(OUTPUT_COUNTS),
        initial=1,
        label=gettext_lazy("Images"),
        widget=forms.RadioSelect(choices=[(count, str(count)) for count in OUTPUT_COUNTS]),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Seed"),
        min_value=0,
        max_value=SEED_MAX,
        required=False,
        help_text=gettext_lazy("Leave empty for a random one."),
    )
    steps = forms.IntegerField(label=gettext_lazy("Steps"), min_value=1, max_value=50, required=False)
    guidance = forms.FloatField(label=gettext_lazy("Guidance"), min_value=0, max_value=20, required=False)
    # Business accounts only (removed for everyone else): who appears in the picture.
    subject = forms.CharField(
        required=False,
        label=gettext_lazy("Model or avatar"),
        widget=forms.Select,
        help_text=gettext_lazy("Human models appear here once they approve your business."),
    )
    category = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("No particular category")), *ModelProfile.Category.choices],
        label=gettext_lazy("Catalog category"),
    )
    # Image to image: start from one of my pictures or an upload (optional here).
    upload = ImageUploadField(required=False, label=gettext_lazy("Upload a picture"))
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.personal_model = None
        self.source_image = None
        self.human_model: User | None = None
        self.avatar: AIAvatar | None = None
        # A plain field with a Select widget: validity gets its own sentences in clean_model.
        _use_model_picker(
            self, (Kind.TEXT_TO_IMAGE, Kind.IMAGE_TO_IMAGE), user=user, personal=_personal_choices(user)
        )
        if user.role == User.Role.BUSINESS:
            self.fields["subject"].widget.choices = _subject_choices(user)
        else:
            del self.fields["subject"], self.fields["category"]

    def clean_subject(self) -> str:
        """``model:<user id>`` or ``avatar:<id>``; whether consent allows it is the service's call."""
        from bson import ObjectId

        value = (self.cleaned_data.get("subject") or "").strip()
        if not value:
            return ""
        kind, _colon, raw_id = value.partition(":")
        if kind in ("model", "avatar") and ObjectId.is_valid(raw_id):
            if kind == "model":
                self.human_model = User.objects.filter(pk=ObjectId(raw_id), role=User.Role.MODEL).first()
            else:
                self.avatar = AIAvatar.objects.filter(pk=ObjectId(raw_id)).first()
        if self.human_model is None and self.avatar is None:
            raise ValidationError(_("Pick a model or an avatar from the list."))
        return value

    def clean(self):
        data = super().clean()
        self._clean_source(data)
        return data

    def cost(self) -> int | None:
        """What the choices shown (submitted, or the defaults) would cost; None without a model."""
        model = self.pickable.get(str(self["model"].value() or next(iter(self.pickable), "")))
        if model is None:
            return None
        try:
            outputs = min(4, max(1, int(self["num_outputs"].value() or 1)))
        except (TypeError, ValueError):
            outputs = 1
        return job_cost(ai_model=model, num_outputs=outputs, quality=str(self["quality"].value() or ""))

    @staticmethod
    def hd_multiplier() -> int:
        return hd_multiplier()

    def source_model_names(self) -> list[str]:
        """The models on offer that can start from a picture (``AIModel.takes_source_image``)."""
        return [model.name for model in self.pickable.values() if model.takes_source_image]

    def parameters(self) -> JobParameters:
        data = self.cleaned_data
        return JobParameters(
            negative_prompt=data.get("negative_prompt") or "",
            style=data.get("style") or "",
            aspect_ratio=data["aspect_ratio"],
            quality=data["quality"],
            num_outputs=data["num_outputs"],
            seed=data.get("seed"),
            steps=data.get("steps"),
            guidance=data.get("guidance"),
        )


class EditForm(_SourcePicker, _ModelPicker, forms.Form):
    allowed_kinds = (Kind.IMAGE_EDIT,)
    source_required = True

    upload = ImageUploadField(required=False, label=gettext_lazy("Upload an image"))
    source = forms.CharField(
        required=False, label=gettext_lazy("…or pick one of mine"), widget=forms.HiddenInput
    )
    prompt = PromptField(
        what=gettext_lazy("The instruction"),
        label=gettext_lazy("Instruction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say what to change.")},
    )
    model = forms.CharField(label=gettext_lazy("Model"), widget=forms.Select)
    seed = forms.IntegerField(label=gettext_lazy("Seed"), min_value=0, max_value=SEED_MAX, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.personal_model = None
        _use_model_picker(self, (Kind.IMAGE_EDIT,))
        self.source_image = None

    def clean(self):
        data = super().clean()
        self._clean_source(data)
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)
        self.room = MAX_PHOTOS

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise ValidationError(_("Choose at least one photo."))
        # Count and total size come from the request alone: refuse a hostile batch
        # before a single photo is decoded (decoding is what costs seconds).
        self._check_batch(files)
        cleaned, errors = [], []
        for upload in files:
            try:
                clean = validate_image_upload(upload)
            except ValidationError as exc:
                errors.append(f"{getattr(upload, 'name', 'file')}: {' '.join(exc.messages)}")
                continue
            clean.original_name = getattr(upload, "name", "")
            cleaned.append(clean)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def _check_batch(self, files) -> None:
        count = len(files)
        if count > self.room:
            if self.room == 0:
                raise ValidationError(
                    _("You already have %(max)d photos. Delete some to add others.") % {"max": MAX_PHOTOS}
                )
            if self.room == MAX_PHOTOS:
                raise ValidationError(
                    _("Choose at most %(max)d photos; you chose %(count)d.")
                    % {"max": MAX_PHOTOS, "count": count}
                )
            raise ValidationError(
                ngettext(
                    "You can add %(room)d more photo (%(max)d at most in all); you chose %(count)d.",
                    "You can add %(room)d more photos (%(max)d at most in all); you chose %(count)d.",
                    self.room,
                )
                % {"room": self.room, "max": MAX_PHOTOS, "count": count}
            )
        total = sum(getattr(upload, "size", 0) or 0 for upload in files)
        limit = photo_batch_max_bytes()
        if total > limit:
            total_text, limit_text = describe_excess(total, limit)
            raise ValidationError(
                _("These %(count)d photos add up to %(total)s; one upload can carry %(limit)s at most.")
                % {"count": count, "total": total_text, "limit": limit_text}
            )


class PhotosForm(forms.Form):
    photos = PhotosField(label=gettext_lazy("Photos of you (10–20, JPG/PNG/GIF/WEBP)"))

    def __init__(self, *args, room: int = MAX_PHOTOS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].room = room


class PersonalModelNameForm(forms.Form):
    """A personal model's name: 1–60 characters (spaces collapsed), unique among mine (the service
    says so; the unique index decides)."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=PersonalModel.NAME_MAX,
        help_text=gettext_lazy("Up to 60 characters, different from your other models' names."),
        error_messages={"required": gettext_lazy("Give your model a name.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Said on submit, with the length: no maxlength attribute cutting a pasted name silently.
        self.fields["name"].widget.attrs.pop("maxlength", None)
        self.fields["name"].error_messages["max_length"] = gettext_lazy(
            "A name can be at most %(limit_value)d characters; this one has %(show_value)d."
        )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Give your model a name."))
        return name


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(coerce=int, choices=[(n, f"{n} ★") for n in range(1, 6)])
