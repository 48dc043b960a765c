"""What several billing pages share: a Stripe failure shown as a message, and the ledger-style paging."""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlsplit

import stripe
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from modelsnapper.paging import keyset_page

logger = logging.getLogger(__name__)


PAGE_SIZE = 25


def came_from(request, fallback: str) -> str:
    """The page the form was on (our own pages only), else ``fallback``."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path.startswith("/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse(fallback)


def stripe_failure_as_message(fallback: str):
    """A view that calls Stripe: when Stripe says no, a message on the page the user came from.

    A declined card is the customer's to fix, and Stripe's message is written
    for them; anything else (an outage, a rejected request) is ours, logged
    with Stripe's request id so it can be found in Stripe's dashboard (the
    log line also carries our own request id). Stripe refuses or fails the
    call as a whole, so nothing was charged or changed on either side.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except stripe.StripeError as exc:
                logger.warning(
                    "stripe call in %s failed (stripe request %s, status %s): %s",
                    view.__name__,
                    getattr(exc, "request_id", None) or "-",
                    getattr(exc, "http_status", None) or "-",
                    exc,
                )
                if isinstance(exc, stripe.CardError):
                    # Stripe writes user_message in the customer's language already.
                    text = _("%(reason)s Nothing was changed.") % {
                        "reason": exc.user_message or _("Your card was declined.")
                    }
                else:
                    text = _(
                        "We could not reach our payment provider just now. "
                        "Nothing was charged; please try again in a few minutes."
                    )
                messages.error(request, text)
                return redirect(came_from(request, fallback))

        return wrapped

    return decorate


def keyset(request, entries):
    """Newest first, 25 at a time, keyed on the (indexed) ObjectId."""
    return keyset_page(entries, before=request.GET.get("before", ""), size=PAGE_SIZE)
