"""Errors the billing services raise, each with a message fit to show a user."""

from django.utils.translation import gettext as _


class BillingError(Exception):
    """A billing rule refused the operation; nothing was written."""


class InsufficientCredits(BillingError):
    def __init__(self, *, needed: int, available: int, currency: str = "credits") -> None:
        self.needed = needed
        self.available = available
        self.currency = currency
        if currency == "coins":
            text = _("Not enough coins: this needs %(needed)d and you have %(available)d.")
        else:
            text = _("Not enough credits: this needs %(needed)d and you have %(available)d.")
        super().__init__(text % {"needed": needed, "available": available})


class InsufficientCoins(InsufficientCredits):
    def __init__(self, *, needed: int, available: int) -> None:
        super().__init__(needed=needed, available=available, currency="coins")


class TransferError(BillingError):
    """A coin transfer that can never succeed (to yourself, to nobody, not positive)."""


class PermanentEventError(BillingError):
    """A Stripe event we can never apply (unknown user or price): retrying will not help."""
