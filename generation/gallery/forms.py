"""Gallery forms: the history filters, the bulk action bar, boards, the star."""

from __future__ import annotations

from collections.abc import Iterable

from bson import ObjectId
from bson.errors import InvalidId
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from generation.gallery.services import BOARD_NAME_MAX
from generation.models import AIModel, Board, Job, Kind


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("Any status")), *Job.Status.choices])
    kind = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Any kind")),
            *[choice for choice in Kind.choices if choice[0] != Kind.TRAINING_BASE],
        ],
    )
    model = forms.ChoiceField(required=False, choices=())
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    view = forms.ChoiceField(required=False, choices=[("list", _("List")), ("gallery", _("Gallery"))])
    cursor = forms.CharField(required=False)

    def __init__(self, *args, models: Iterable[AIModel] | None = None, **kwargs):
        """``models``: the catalog (``selectors.catalog``) when the page has read it already."""
        super().__init__(*args, **kwargs)
        if models is None:
            models = AIModel.objects.only("slug", "name")
        self.fields["model"].choices = [("", _("Any model")), *((m.slug, m.name) for m in models)]
        for name in ("status", "kind", "model"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].choices[0][1]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class ImageIdsField(forms.Field):
    """The images ticked in the bulk bar: distinct ObjectIds; a malformed id is no image at all."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        ids = []
        for raw in values:
            try:
                ids.append(ObjectId(str(raw)))
            except (InvalidId, TypeError):
                continue
        return list(dict.fromkeys(ids))

    def validate(self, value):
        if not value:
            raise forms.ValidationError(_("Select at least one image."))
        cap = settings.GENERATION_BULK_MAX_IMAGES
        if len(value) > cap:
            raise forms.ValidationError(_("Select at most %(cap)s images at a time.") % {"cap": cap})


class BulkForm(forms.Form):
    DELETE, MOVE, PUBLIC, PRIVATE, DOWNLOAD = "delete", "move", "public", "private", "download"
    ACTIONS = [
        (DELETE, _("Delete")),
        (MOVE, _("Move to board")),
        (PUBLIC, _("Make public")),
        (PRIVATE, _("Make private")),
        (DOWNLOAD, _("Download as zip")),
    ]

    images = ImageIdsField()
    action = forms.ChoiceField(choices=ACTIONS, error_messages={"required": _("Pick what to do.")})
    board = forms.ChoiceField(required=False, choices=())
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.boards = {str(board.pk): board for board in Board.objects.filter(user_id=user.pk)}
        self.fields["board"].choices = [("", _("No board")), *[(pk, b.name) for pk, b in self.boards.items()]]

    def clean(self):
        data = super().clean()
        data["board"] = self.boards.get(data.get("board") or "")
        if (
            data.get("action") == self.DOWNLOAD
            and len(data.get("images") or []) > settings.GENERATION_ZIP_MAX_IMAGES
        ):
            raise forms.ValidationError(
                f"A zip holds up to {settings.GENERATION_ZIP_MAX_IMAGES} images; select fewer and download "
                "the rest in another zip."
            )
        return data


class BoardForm(forms.Form):
    name = forms.CharField(max_length=BOARD_NAME_MAX, error_messages={"required": "Give the board a name."})


class FavouriteForm(forms.Form):
    favourite = forms.TypedChoiceField(choices=[("1", "Star"), ("0", "Unstar")], coerce=lambda v: v == "1")
