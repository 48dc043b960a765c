"""The coins page and its actions: the daily bonus, a gift, a tip."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from billing.exceptions import BillingError
from billing.forms import (
    CheckoutForm,
    GiftCoinsForm,
    TipForm,
)
from billing.models import LedgerEntry
from billing.selectors import active_coin_packs
from billing.services import coins_daily_bonus, coins_transfer, wallet_for
from billing.services.coins import coins_tip as coins_tip_send
from billing.views.common import keyset
from social.selectors import post_for_viewer


@login_required
def coins(request):
    user_wallet = wallet_for(request.user)
    entries = LedgerEntry.objects.filter(user_id=request.user.pk, currency=LedgerEntry.Currency.COINS)
    page, next_cursor = keyset(request, entries)
    today_key = f"coins:daily:{request.user.pk}:{timezone.now().date().isoformat()}"
    return render(
        request,
        "billing/coins.html",
        {
            "wallet": user_wallet,
            "entries": page,
            "next_cursor": next_cursor,
            "form": GiftCoinsForm(sender=request.user),
            "claimed_today": LedgerEntry.objects.filter(idempotency_key=today_key).exists(),
            "daily_bonus": settings.BILLING_DAILY_BONUS_COINS,
            "coin_packs": active_coin_packs(),
            "checkout_form": CheckoutForm(),
            "remix_coins": settings.COINS_REMIX_EARN,
            "boost_cost": settings.COINS_BOOST_COST,
            "boost_hours": settings.COINS_BOOST_HOURS,
        },
    )


@login_required
@require_POST
def coins_daily(request):
    _, created = coins_daily_bonus(user=request.user)
    if created:
        messages.success(
            request,
            gettext("You claimed %(coins)s coins. Come back tomorrow!")
            % {"coins": settings.BILLING_DAILY_BONUS_COINS},
        )
    else:
        messages.info(request, gettext("You already claimed today's bonus."))
    return redirect("billing:coins")


@login_required
def coins_gift(request):
    form = GiftCoinsForm(request.POST or None, sender=request.user)
    if request.method == "POST" and form.is_valid():
        recipient, amount = form.cleaned_data["recipient"], form.cleaned_data["amount"]
        try:
            coins_transfer(
                sender=request.user,
                recipient=recipient,
                amount=amount,
                idempotency_key=f"gift:{request.user.pk}:{form.cleaned_data['token']}",
            )
        except BillingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("Sent %(coins)s coins to %(name)s.") % {"coins": amount, "name": recipient.username},
            )
            return redirect("billing:coins")
    user_wallet = wallet_for(request.user)
    return render(request, "billing/coins_gift.html", {"form": form, "wallet": user_wallet})


@login_required
def coins_tip(request, post_id):
    """Tip a post's author from the post page; a post the tipper can't see is a 404."""
    post = post_for_viewer(request.user, post_id)
    form = TipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["amount"]
        try:
            coins_tip_send(
                sender=request.user, post=post, amount=amount, idempotency_key=form.cleaned_data["token"]
            )
        except BillingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("You tipped %(name)s %(coins)s coins. Thank you!")
                % {"name": post.author.username, "coins": amount},
            )
            return redirect(post.get_absolute_url())
    return render(
        request, "billing/coins_tip.html", {"form": form, "post": post, "wallet": wallet_for(request.user)}
    )
