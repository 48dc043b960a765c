"""The marketplace's forms: the model's release and scope, the business's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ModelProfile
from generation.marketplace.selectors import KIND_CHOICES, MY_STATUS_CHOICES
from generation.models import ConsentRequest


class ReleaseForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField(label=_("I have read the release and sign it."))


class ScopeForm(forms.Form):
    refused_categories = forms.MultipleChoiceField(
        label=_("Refused categories"),
        choices=ModelProfile.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MarketFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=120)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any category")), *ModelProfile.Category.choices]
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=KIND_CHOICES)
    my_status = forms.ChoiceField(
        label=_("My status"),
        required=False,
        choices=MY_STATUS_CHOICES,
        help_text=_("Consent applies to human models only."),
    )


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ConsentRequest.Status.choices]
    )
