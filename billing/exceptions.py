"""Errors the billing services raise, each with a message fit to show a user."""


class BillingError(Exception):
    """A billing rule refused the operation; nothing was written."""


class InsufficientCredits(BillingError):
    def __init__(self, *, needed: int, available: int, currency: str = "credits") -> None:
        self.needed = needed
        self.available = available
        self.currency = currency
        super().__init__(f"Not enough {currency}: this needs {needed} and you have {available}.")


class InsufficientCoins(InsufficientCredits):
    def __init__(self, *, needed: int, available: int) -> None:
        super().__init__(needed=needed, available=available, currency="coins")


class TransferError(BillingError):
    """A coin transfer that can never succeed (to yourself, to nobody, not positive)."""


class PermanentEventError(BillingError):
    """A Stripe event we can never apply (unknown user or price): retrying will not help."""
