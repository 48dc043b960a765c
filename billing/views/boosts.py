"""Boosting a post of mine into explore's "Boosted" row: a confirmation page, then the spend."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing.exceptions import BillingError
from billing.services import wallet_for
from billing.services.boosts import boost_create, running_boost
from social.selectors import post_for_viewer


@login_required
@require_http_methods(["GET", "POST"])
def post_boost(request, post_id):
    """GET asks to confirm (cost, balance, or that it is boosted already); POST spends the coins."""
    post = post_for_viewer(request.user, post_id)
    if post.author_id != request.user.pk:
        raise Http404("No such post.")
    error = ""
    if request.method == "POST":
        try:
            boost = boost_create(user=request.user, post=post)
        except BillingError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("Your post is boosted on Explore until %(end)s.")
                % {"end": date_format(timezone.localtime(boost.ends_at), "DATETIME_FORMAT")},
            )
            return redirect(post.get_absolute_url())
    return render(
        request,
        "billing/boost_confirm.html",
        {
            "post": post,
            "wallet": wallet_for(request.user),
            "cost": settings.COINS_BOOST_COST,
            "hours": settings.COINS_BOOST_HOURS,
            "running": running_boost(post_id=post.pk),
            "error": error,
        },
        status=400 if error else 200,
    )
