"""Choosing the notification digest (social.digests) on the notification settings page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from social.digests import digest_set_frequency
from social.models import EmailDigest


class DigestForm(forms.Form):
    """How often unread notifications arrive together in one e-mail."""

    frequency = forms.ChoiceField(
        choices=EmailDigest.Frequency.choices,
        required=False,
        widget=forms.RadioSelect,
        label=gettext_lazy("Digest of unread notifications"),
    )


def digest_form_for(user) -> DigestForm:
    current = EmailDigest.objects.filter(user_id=user.pk).values_list("frequency", flat=True).first()
    return DigestForm(initial={"frequency": current or EmailDigest.Frequency.OFF})


@login_required
@require_POST
def notification_digest(request):
    form = DigestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick never, daily or weekly."))
        return redirect("social:notification_settings")
    frequency = form.cleaned_data["frequency"]
    digest_set_frequency(user=request.user, frequency=frequency)
    messages.success(
        request,
        _("You will get a daily digest of unread notifications.")
        if frequency == EmailDigest.Frequency.DAILY
        else _("You will get a weekly digest of unread notifications.")
        if frequency == EmailDigest.Frequency.WEEKLY
        else _("Digest e-mails are off."),
    )
    return redirect("social:notification_settings")
