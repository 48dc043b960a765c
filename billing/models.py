"""Billing data: catalog, wallets, the append-only ledger, Stripe mirrors.

Balances live on :class:`Wallet` and change only through ``billing.services``;
every change writes exactly one :class:`LedgerEntry` under a unique
idempotency key, so a retried transaction or a replayed webhook can never
apply twice. Money is integer cents.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_mongodb_backend.fields import EmbeddedModelArrayField
from django_mongodb_backend.models import EmbeddedModel

from modelsnapper.queryshape import ShapedQuerySet


class BillingQuerySet(ShapedQuerySet):
    """Billing's querysets: one filter document, and ``one()`` for unique lookups."""


class ResetPeriod(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    NEVER = "never", _("Never")


def add_period(start: datetime, period: str, count: int = 1) -> datetime | None:
    """The end of a reset period that starts at ``start`` (None for "never")."""
    if period == ResetPeriod.DAILY:
        return start + timedelta(days=count)
    if period == ResetPeriod.WEEKLY:
        return start + timedelta(weeks=count)
    if period == ResetPeriod.MONTHLY:
        month_index = start.month - 1 + count
        year = start.year + month_index // 12
        month = month_index % 12 + 1
        # Clamp the day (31 Jan + 1 month = 28/29 Feb).
        for day in (start.day, 30, 29, 28):
            try:
                return start.replace(year=year, month=month, day=day)
            except ValueError:
                continue
    return None


class Plan(models.Model):
    """A subscription tier (seed 004): free / plus / pro."""

    class Code(models.TextChoices):
        FREE = "free", _("Free")
        PLUS = "plus", _("Plus")
        PRO = "pro", _("Pro")

    code = models.CharField(max_length=16, choices=Code.choices, unique=True)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=240, blank=True)
    credits_per_period = models.PositiveIntegerField()
    reset_period = models.CharField(max_length=10, choices=ResetPeriod.choices, default=ResetPeriod.MONTHLY)
    stripe_price_monthly = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_price_yearly = models.CharField(max_length=100, blank=True, db_index=True)
    price_monthly_cents = models.PositiveIntegerField(default=0)
    price_yearly_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    trial_days = models.PositiveIntegerField(default=0)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Higher is a bigger plan.")
    is_active = models.BooleanField(default=True)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        # A plan by code (wallet, dashboard): the unique index is partial, unused for equality.
        indexes = [models.Index(fields=["code"], name="plan_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.code == self.Code.FREE

    def price_id_for(self, interval: str) -> str:
        return self.stripe_price_yearly if interval == "year" else self.stripe_price_monthly

    def price_cents_for(self, interval: str) -> int:
        return self.price_yearly_cents if interval == "year" else self.price_monthly_cents


class Package(models.Model):
    """A one-off credit pack tied to a Stripe price (seed 001 ``packages``)."""

    name = models.CharField(max_length=100)
    stripe_price_id = models.CharField(max_length=100, unique=True)
    ai_credits_granted = models.PositiveIntegerField()
    # A coin pack (seed 003's coin purchase) grants coins instead of credits: 0 for a credit pack.
    coins_granted = models.PositiveIntegerField(default=0)
    human_model_access = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True, db_index=True)
    price_cents = models.PositiveIntegerField(help_text="Display price in cents.")
    currency = models.CharField(max_length=3, default="usd")
    description = models.CharField(max_length=240, blank=True)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["price_cents"]

    def __str__(self) -> str:
        return self.name


class Wallet(models.Model):
    """One per user: two credit buckets and a coin balance.

    Only ``billing.services`` writes the balances, always together with a
    ledger entry in the same transaction.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet")
    plan_code = models.CharField(max_length=16, default=Plan.Code.FREE)
    allowance = models.IntegerField(default=0)
    purchased = models.IntegerField(default=0)
    coins = models.IntegerField(default=0)
    human_model_access = models.BooleanField(default=False)
    # Royalties earned as a human model (seed 001), integer cents. ``royalty_cents`` is
    # what is owed (accrued − clawed back − paid out): the sum of the ``royalty``-currency
    # ledger entries. Pending vs payable is read from the accrual dates (billing.services.royalties).
    royalty_cents = models.IntegerField(default=0)
    royalty_paid_cents = models.IntegerField(default=0)
    period_start = models.DateTimeField(null=True, blank=True)
    # The next quota reset; None when the plan never resets.
    period_end = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BillingQuerySet.as_manager()

    class Meta:
        # My wallet (every billing page): the one-to-one's unique index is partial, unused for equality.
        indexes = [models.Index(fields=["user"], name="wallet_user")]

    def __str__(self) -> str:
        return f"wallet of {self.user_id}"

    @property
    def credits(self) -> int:
        return self.allowance + self.purchased


class LedgerEntry(models.Model):
    """One immutable change to one wallet.

    A charge that draws on both buckets is still one entry: ``allowance_delta``
    and ``purchased_delta`` record the split, which is what a refund reverses.
    """

    class Type(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        SUBSCRIPTION_GRANT = "subscription_grant", _("Subscription grant")
        ALLOWANCE_EXPIRY = "allowance_expiry", _("Allowance expiry")
        USAGE = "usage", _("Usage")
        REFUND = "refund", _("Refund")
        BONUS = "bonus", _("Bonus")
        ADJUSTMENT = "adjustment", _("Adjustment")
        COIN_BONUS = "coin_bonus", _("Coin bonus")
        COIN_GIFT_IN = "coin_gift_in", _("Coins received")
        COIN_GIFT_OUT = "coin_gift_out", _("Coins sent")
        COIN_REWARD = "coin_reward", _("Coin reward")
        # Seed 003's coin transaction types, each its own line on the ledger: the daily bonus
        # is not the welcome bonus (COIN_BONUS), a tip is spend/earn, not a gift.
        COIN_DAILY_BONUS = "coin_daily_bonus", _("Daily bonus")
        COIN_EARN = "coin_earn", _("Coins earned")
        COIN_SPEND = "coin_spend", _("Coins spent")
        COIN_PURCHASE = "coin_purchase", _("Coins purchased")
        COIN_REFUND = "coin_refund", _("Coins refunded")
        COIN_ACHIEVEMENT = "coin_achievement", _("Achievement")
        REVOCATION = "revocation", _("Revocation")
        ROYALTY = "royalty", _("Royalty")
        ROYALTY_CLAWBACK = "royalty_clawback", _("Royalty clawback")
        ROYALTY_PAYOUT = "royalty_payout", _("Royalty payout")

    class Bucket(models.TextChoices):
        ALLOWANCE = "allowance", _("Allowance")
        PURCHASED = "purchased", _("Purchased")
        MIXED = "mixed", _("Allowance + purchased")
        COINS = "coins", _("Coins")
        ROYALTY = "royalty", _("Royalty")

    class Currency(models.TextChoices):
        CREDITS = "credits", _("Credits")
        COINS = "coins", _("Coins")
        ROYALTY_CENTS = "royalty", _("Royalty (cents)")

    class UsageKind(models.TextChoices):
        """What a usage charge (and its refund) paid for (seed 002 tells generation from edit)."""

        IMAGE_GENERATION = "image_generation", _("Image generation")
        IMAGE_EDIT = "image_edit", _("Image edit")
        TRAINING = "training", _("Model training")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger_entries"
    )
    entry_type = models.CharField(max_length=24, choices=Type.choices)
    currency = models.CharField(max_length=8, choices=Currency.choices)
    bucket = models.CharField(max_length=10, choices=Bucket.choices)
    amount = models.IntegerField(help_text="Signed total change in this entry's currency.")
    allowance_delta = models.IntegerField(default=0)
    purchased_delta = models.IntegerField(default=0)
    coins_delta = models.IntegerField(default=0)
    allowance_after = models.IntegerField()
    purchased_after = models.IntegerField()
    coins_after = models.IntegerField()
    balance_after = models.IntegerField(help_text="Balance of this entry's currency afterwards.")
    related_type = models.CharField(max_length=40, blank=True)
    related_id = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300, blank=True)
    # The description's English msgid and parameters (modelsnapper.sentences), shown in the
    # reader's language; None on lines written before, shown as ``description``.
    description_sentence = models.JSONField(null=True, blank=True, default=None)
    idempotency_key = models.CharField(max_length=200, unique=True)
    # For refunds: the key of the charge being reversed ("" otherwise).
    reverses_key = models.CharField(max_length=200, blank=True, default="")
    # For revocations that could not take everything back (credits already spent).
    shortfall = models.IntegerField(default=0)
    # Usage charges and their refunds: what was paid for and the AI model's name as it was then
    # (a ledger line stays as charged even if the catalog renames the model). "" otherwise.
    usage_kind = models.CharField(max_length=20, choices=UsageKind.choices, blank=True, default="")
    ai_model = models.CharField("AI model", max_length=120, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "ledger entries"
        indexes = [
            # Only what pages need: every index is paid for on each insert.
            models.Index(fields=["user", "-created_at"], name="ledger_user_created"),
            # Credits used this period (wallet, dashboard): my credit entries since a date.
            models.Index(fields=["user", "currency", "created_at"], name="ledger_user_currency_time"),
            # A key's entry (a retry or a twin finding its change applied): the unique index on
            # the key is partial, which serves no equality match.
            models.Index(fields=["idempotency_key"], name="ledger_key"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_type} {self.amount:+d} {self.currency} ({self.idempotency_key})"


class Achievement(models.Model):
    """A badge a user earned (seed 003's future section), each at most once.

    Kept beside the ledger because earning one pays coins: the badge row and its
    ledger entry commit in one transaction (``billing.services.coins.achievement_grant``),
    and the unique index on (user, code) is what makes "once" hold under races.
    """

    class Code(models.TextChoices):
        FIRST_POST = "first_post", _("First post")
        LIKES_100 = "likes_100", _("100 likes")
        FOLLOWERS_10 = "followers_10", _("10 followers")
        FIRST_MODEL = "first_model", _("First model trained")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements")
    code = models.CharField(max_length=20, choices=Code.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="achievement_once")]

    def __str__(self) -> str:
        return f"{self.get_code_display()} for {self.user_id}"


class Boost(models.Model):
    """Coins spent to show a post in explore's "Boosted" row for a while (seed 003 coin spend).

    At most one active boost per post: a partial unique index on (post) while ``active``
    refuses a second, whatever races. A boost whose post is removed while it runs is
    refunded once (``billing.services.boosts``); one that ran out stays ``active`` in
    the document until the next boost of the post marks it expired (reads go by ``ends_at``).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REFUNDED = "refunded", "Refunded"

    post = models.ForeignKey("social.Post", on_delete=models.CASCADE, related_name="boosts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="boosts")
    coins = models.PositiveIntegerField()
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    refunded_at = models.DateTimeField(null=True, blank=True)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            # Explore's boosted row: the active boosts still running ("boosted until"), soonest-ending last.
            models.Index(fields=["status", "-ends_at"], name="boost_status_ends"),
            models.Index(fields=["post", "status"], name="boost_post_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=models.Q(status="active"), name="boost_one_active_per_post"
            )
        ]

    def __str__(self) -> str:
        return f"boost of {self.post_id} until {self.ends_at:%Y-%m-%d %H:%M} ({self.status})"


class RefundMarker(models.Model):
    """Guarantees one refund per charge, whatever idempotency key the caller sends."""

    charge_key = models.CharField(max_length=200, unique=True)
    refund_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BillingQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.charge_key} refunded by {self.refund_key}"


class Subscription(models.Model):
    """Mirror of the user's Stripe subscription (seed 004)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TRIALING = "trialing", _("Trialing")
        PAST_DUE = "past_due", _("Past due")
        CANCELED = "canceled", _("Canceled")
        INCOMPLETE = "incomplete", _("Incomplete")
        INCOMPLETE_EXPIRED = "incomplete_expired", _("Incomplete (expired)")
        UNPAID = "unpaid", _("Unpaid")
        PAUSED = "paused", _("Paused")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription"
    )
    tier = models.CharField(max_length=16, choices=Plan.Code.choices, default=Plan.Code.FREE)
    interval = models.CharField(max_length=8, default="month")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INCOMPLETE)
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_price_id = models.CharField(max_length=100, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_start = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    metadata = models.JSONField(default=dict, blank=True)
    # The Stripe ``created`` time of the event that last wrote this row:
    # an older event arriving late never overwrites newer state.
    last_event_created = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BillingQuerySet.as_manager()

    class Meta:
        # My subscription (wallet page): the one-to-one's unique index is partial, unused for equality.
        indexes = [models.Index(fields=["user"], name="subscription_user")]

    def __str__(self) -> str:
        return f"{self.tier} ({self.status}) for {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.TRIALING)

    @property
    def in_trial(self) -> bool:
        return (
            self.status == self.Status.TRIALING
            and self.trial_end is not None
            and self.trial_end > timezone.now()
        )

    @property
    def days_until_renewal(self) -> int | None:
        if not self.current_period_end:
            return None
        seconds = (self.current_period_end - timezone.now()).total_seconds()
        return max(0, math.ceil(seconds / 86400))


class Payment(models.Model):
    """Money that came in through Stripe (seed 000 ``Payments``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payments")
    # The Stripe object this payment came from: a Checkout Session (cs_…) or an invoice (in_…).
    external_id = models.CharField(max_length=200, unique=True)
    amount_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    payment_method = models.CharField(max_length=40, default="card")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    credits_purchased = models.PositiveIntegerField(default=0)
    package = models.ForeignKey(Package, null=True, blank=True, on_delete=models.SET_NULL)
    plan_code = models.CharField(max_length=16, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=100, blank=True, db_index=True)
    transaction_id = models.CharField(max_length=100, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    credits_revoked = models.PositiveIntegerField(default=0)
    livemode = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        # The payment of a session or invoice (webhook handlers that look): beside the partial
        # unique index, which serves no equality match.
        indexes = [models.Index(fields=["external_id"], name="payment_external_id")]

    def __str__(self) -> str:
        return f"{self.external_id} {self.status}"


# In every id the offline test checkout makes (cs_test_…, in_test_…); Stripe's own ids never carry it.
OFFLINE_ID_MARK = "_test_"


class InvoiceLine(EmbeddedModel):
    description = models.CharField(max_length=300, blank=True)
    amount_cents = models.IntegerField(default=0)
    quantity = models.PositiveIntegerField(default=1)
    price_id = models.CharField(max_length=100, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)


class Invoice(models.Model):
    """Mirror of a Stripe invoice (seed 001 ``invoices``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("invoice status", "Draft")
        OPEN = "open", pgettext_lazy("invoice status", "Open")
        PAID = "paid", pgettext_lazy("invoice status", "Paid")
        UNCOLLECTIBLE = "uncollectible", pgettext_lazy("invoice status", "Uncollectible")
        VOID = "void", pgettext_lazy("invoice status", "Void")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(max_length=60, blank=True, db_index=True)
    amount_due = models.PositiveIntegerField(default=0)
    amount_paid = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    pdf_url = models.URLField(max_length=500, blank=True)
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    line_items = EmbeddedModelArrayField(InvoiceLine, default=list, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        # An invoice by its Stripe id (invoice.paid looking for it): beside the partial unique index.
        indexes = [models.Index(fields=["stripe_invoice_id"], name="invoice_stripe_id")]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id

    @property
    def is_offline(self) -> bool:
        """Issued by the offline test checkout: no money moved and Stripe holds no PDF or page for it."""
        return OFFLINE_ID_MARK in self.stripe_invoice_id


class StripeEvent(models.Model):
    """Every Stripe event we accepted, recorded once before any effect."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Ignored")

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    livemode = models.BooleanField(default=False)
    stripe_created = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        # A redelivery reads the stored record by event id: beside the partial unique index.
        indexes = [models.Index(fields=["event_id"], name="stripeevent_event_id")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} {self.status}"
