from django import forms
from django.contrib.auth import get_user_model

from billing.models import LedgerEntry


class GiftCoinsForm(forms.Form):
    recipient = forms.CharField(max_length=150, label="Send to (username)")
    amount = forms.IntegerField(min_value=1, max_value=1_000_000, label="Coins")

    def __init__(self, *args, sender=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sender = sender

    def clean_recipient(self):
        username = self.cleaned_data["recipient"].strip().lstrip("@")
        user = get_user_model().objects.filter(username=username, is_active=True, deleted_at=None).first()
        if user is None:
            raise forms.ValidationError("There is no user with that name.")
        if self.sender is not None and user.pk == self.sender.pk:
            raise forms.ValidationError("You cannot send coins to yourself.")
        return user


class LedgerFilterForm(forms.Form):
    type = forms.ChoiceField(choices=[("", "All types"), *LedgerEntry.Type.choices], required=False)


class TestCheckoutForm(forms.Form):
    OUTCOMES = [
        ("paid", "Card payment succeeds"),
        ("async_success", "Delayed payment (bank debit) that succeeds later"),
        ("async_failure", "Delayed payment that fails"),
    ]
    outcome = forms.ChoiceField(choices=OUTCOMES, initial="paid", widget=forms.RadioSelect)


class PlanChangeForm(forms.Form):
    price_id = forms.CharField(max_length=100)


class AdjustmentForm(forms.Form):
    username = forms.CharField(max_length=150)
    bucket = forms.ChoiceField(
        choices=[("purchased", "Purchased credits"), ("allowance", "Allowance"), ("coins", "Coins")]
    )
    amount = forms.IntegerField(help_text="Positive adds, negative removes.")
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_username(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise forms.ValidationError("There is no user with that name.")
        return user

    def clean_amount(self):
        if self.cleaned_data["amount"] == 0:
            raise forms.ValidationError("An adjustment must change the balance.")
        return self.cleaned_data["amount"]
