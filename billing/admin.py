"""Admin: the catalog is editable; money records are read-only by design."""

from django.contrib import admin, messages

from billing.models import Invoice, LedgerEntry, Package, Payment, Plan, StripeEvent, Subscription, Wallet
from billing.services.webhooks import event_process


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (or Stripe): viewable, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "credits_per_period",
        "reset_period",
        "price_monthly_cents",
        "stripe_price_monthly",
        "stripe_price_yearly",
        "trial_days",
        "is_active",
    ]


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "stripe_price_id",
        "ai_credits_granted",
        "price_cents",
        "human_model_access",
        "is_active",
    ]
    list_filter = ["is_active", "human_model_access"]


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ["user", "plan_code", "allowance", "purchased", "coins", "period_end"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = [f.name for f in Wallet._meta.fields]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "entry_type",
        "currency",
        "bucket",
        "amount",
        "balance_after",
        "idempotency_key",
    ]
    list_filter = ["entry_type", "currency"]
    search_fields = ["idempotency_key", "related_id"]
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "external_id",
        "amount_cents",
        "currency",
        "status",
        "credits_purchased",
        "refunded_cents",
    ]
    list_filter = ["status"]
    search_fields = ["external_id", "stripe_payment_intent_id"]
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "number", "stripe_invoice_id", "amount_due", "status", "paid_at"]
    list_filter = ["status"]
    search_fields = ["stripe_invoice_id", "number"]
    readonly_fields = [f.name for f in Invoice._meta.fields]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "tier",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "stripe_subscription_id",
    ]
    list_filter = ["tier", "status"]
    search_fields = ["stripe_subscription_id", "stripe_customer_id"]
    readonly_fields = [f.name for f in Subscription._meta.fields]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "event_id", "type", "status", "attempts"]
    list_filter = ["status", "type"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in StripeEvent._meta.fields]
    actions = ["replay"]

    @admin.action(description="Replay the selected events (idempotent)")
    def replay(self, request, queryset):
        outcomes: dict[str, int] = {}
        for event in queryset:
            outcome = event_process(event_pk=event.pk)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        level = messages.ERROR if "error" in outcomes else messages.SUCCESS
        self.message_user(request, f"Replayed: {summary}.", level)

    def has_change_permission(self, request, obj=None):
        # Needed for the replay action; every field stays read-only.
        return request.user.is_superuser
