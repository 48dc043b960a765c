import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from billing.models import LedgerEntry
from billing.services.coins import TIP_MAX


class SubmissionForm(forms.Form):
    """A form whose double submission is one action.

    Every rendering carries a fresh token in a hidden field and the view keys
    its write on it (a ledger idempotency key, Stripe's Idempotency-Key), so
    the same submission sent twice (a double click, a resubmitted page)
    applies once, while a form rendered anew is a new action. A submission
    without a well-formed token changes nothing and re-renders with a new one.
    """

    EXPIRED = _("This form had expired. Check the values and submit it again.")

    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{1,64}$", widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4().hex

    def clean(self):
        cleaned = super().clean()
        if "token" in self.errors:
            # Said once at the top, and the re-rendered form gets a token it can be sent with.
            del self.errors["token"]
            self.add_error(None, self.EXPIRED)
            self.data = self.data.copy()
            self.data[self.add_prefix("token")] = uuid.uuid4().hex
        return cleaned


class CheckoutForm(SubmissionForm):
    """The "Buy"/"Subscribe" buttons: one token per pricing page, one Checkout Session per token and price."""


class TipForm(SubmissionForm):
    """Tip a post's author (seed 003 "spend"); billing.services.coins.coins_tip owns the limits."""

    amount = forms.IntegerField(min_value=1, max_value=TIP_MAX, label=_("Coins"), initial=10)


class GiftCoinsForm(SubmissionForm):
    recipient = forms.CharField(max_length=150, label=_("Send to (username)"))
    amount = forms.IntegerField(min_value=1, max_value=1_000_000, label=_("Coins"))

    def __init__(self, *args, sender=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sender = sender

    def clean_recipient(self):
        username = self.cleaned_data["recipient"].strip().lstrip("@")
        user = get_user_model().objects.filter(username=username, is_active=True, deleted_at=None).first()
        if user is None:
            raise forms.ValidationError(_("There is no user with that name."))
        if self.sender is not None and user.pk == self.sender.pk:
            raise forms.ValidationError(_("You cannot send coins to yourself."))
        return user


class LedgerFilterForm(forms.Form):
    type = forms.ChoiceField(
        choices=[("", _("All types")), *LedgerEntry.Type.choices], required=False, label=_("Type")
    )
    usage = forms.ChoiceField(
        choices=[("", _("All usage")), *LedgerEntry.UsageKind.choices], required=False, label=_("Paid for")
    )
    model = forms.ChoiceField(choices=[("", _("All models"))], required=False, label=_("AI model"))

    def __init__(self, *args, models: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # The AI models this person's ledger names (billing.selectors.ledger_models).
        self.fields["model"].choices = [("", _("All models")), *((name, name) for name in models)]


class TestCheckoutForm(SubmissionForm):
    OUTCOMES = [
        ("paid", _("Card payment succeeds")),
        ("async_success", _("Delayed payment (bank debit) that succeeds later")),
        ("async_failure", _("Delayed payment that fails")),
    ]
    outcome = forms.ChoiceField(choices=OUTCOMES, initial="paid", widget=forms.RadioSelect)


class PlanChangeForm(forms.Form):
    price_id = forms.CharField(max_length=100)


class AdjustmentForm(SubmissionForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    bucket = forms.ChoiceField(
        label=_("Balance"),
        choices=[("purchased", _("Purchased credits")), ("allowance", _("Allowance")), ("coins", _("Coins"))],
    )
    amount = forms.IntegerField(label=_("Amount"), help_text=_("Positive adds, negative removes."))
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_username(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise forms.ValidationError(_("There is no user with that name."))
        return user

    def clean_amount(self):
        if self.cleaned_data["amount"] == 0:
            raise forms.ValidationError(_("An adjustment must change the balance."))
        return self.cleaned_data["amount"]
