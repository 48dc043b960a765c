"""Admin: the catalog is editable; money records are read-only by design."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, gettext_lazy

from billing.models import (
    Achievement,
    Invoice,
    LedgerEntry,
    Package,
    Payment,
    Plan,
    StripeEvent,
    Subscription,
    Wallet,
)
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


class RoyaltyPayoutForm(forms.Form):
    amount_cents = forms.IntegerField(min_value=1, label=gettext_lazy("Amount (cents)"))
    reference = forms.CharField(
        max_length=120,
        label=gettext_lazy("Reference"),
        help_text=gettext_lazy("The bank transfer's reference; one payout per reference."),
    )


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "plan_code",
        "allowance",
        "purchased",
        "coins",
        "royalty_cents",
        "royalty_paid_cents",
        "period_end",
    ]
    search_fields = ["user__username", "user__email"]
    readonly_fields = [f.name for f in Wallet._meta.fields]

    def get_urls(self):
        extra = [
            path(
                "<path:object_id>/royalty-payout/",
                self.admin_site.admin_view(self.royalty_payout_view),
                name="billing_wallet_royalty_payout",
            )
        ]
        return extra + super().get_urls()

    def royalty_payout_view(self, request, object_id):
        """Staff record a royalty payout (payable → paid); history is never edited."""
        from billing.exceptions import BillingError
        from billing.services import royalty_balances, royalty_payout

        if not request.user.is_staff:
            raise PermissionDenied
        wallet = self.get_object(request, object_id)
        if wallet is None:
            raise Http404
        balances = royalty_balances(model_user=wallet.user)
        form = RoyaltyPayoutForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                royalty_payout(
                    model_user=wallet.user,
                    amount_cents=form.cleaned_data["amount_cents"],
                    reference=form.cleaned_data["reference"],
                    staff_user=request.user,
                )
            except BillingError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, gettext("Payout recorded."), messages.SUCCESS)
                return redirect("admin:billing_wallet_change", wallet.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "wallet": wallet,
            "balances": balances,
            "form": form,
            "title": gettext("Royalty payout for %(user)s") % {"user": wallet.user},
        }
        return TemplateResponse(request, "admin/billing/royalty_payout.html", context)


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
        "usage_kind",
        "ai_model",
        "idempotency_key",
    ]
    list_filter = ["entry_type", "usage_kind", "ai_model", "currency"]
    search_fields = ["idempotency_key", "related_id"]
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]


@admin.register(Achievement)
class AchievementAdmin(ReadOnlyAdmin):
    """Badges are granted with their coins by billing.services.coins; staff look, never edit."""

    list_display = ["created_at", "user", "code"]
    list_filter = ["code"]
    readonly_fields = ["user", "code", "created_at"]


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
