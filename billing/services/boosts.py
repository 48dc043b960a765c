"""Boosts (seed 003 coin spend and refund): coins for 24 h in explore's "Boosted" row.

A boost and its ``COIN_SPEND`` ledger line commit in one transaction: when the coins are
short the guarded wallet update writes nothing and the boost insert is rolled back with it.
The partial unique index ``boost_one_active_per_post`` is what keeps a post to one active
boost, also under concurrent clicks. A boost whose post is removed (by its author or by
moderation) while it runs is refunded once: the conditional update ``active → refunded``
and the ``COIN_REFUND`` line (key ``boost:<id>:refund``) commit together.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from billing.exceptions import BillingError, InsufficientCoins
from billing.models import Boost, LedgerEntry, Wallet
from billing.services.ledger import Change, _wallet_lock, transact, wallet_for, write_changes
from modelsnapper.sentences import Sentence

Type = LedgerEntry.Type

# social.selectors.boosted caches explore's running boosts under this key.
BOOSTED_CACHE_KEY = "social:boosted_post_ids"


class BoostError(BillingError):
    """A boost that cannot be bought (not yours, not public, already boosted)."""


def boost_spend_key(boost: Boost) -> str:
    return f"boost:{boost.pk}:spend"


def boost_refund_key(boost: Boost) -> str:
    return f"boost:{boost.pk}:refund"


def boost_create(*, user: Any, post: Any, now=None) -> Boost:
    """Spend ``COINS_BOOST_COST`` coins to boost ``post`` for ``COINS_BOOST_HOURS``.

    Raises ``BoostError`` (not the author, not a published public post, already boosted) or
    ``InsufficientCoins``; either way nothing is written.
    """
    if post.author_id != user.pk:
        raise BoostError(_("Only the author can boost this post."))
    if not post.listed:
        raise BoostError(_("Only a published, public post can be boosted."))
    now = now or timezone.now()
    cost = settings.COINS_BOOST_COST
    # A boost that ran out frees the post for the next one (the unique index counts "active").
    Boost.objects.filter(post_id=post.pk, status=Boost.Status.ACTIVE, ends_at__lte=now).update(
        status=Boost.Status.EXPIRED
    )
    wallet_for(user)

    def txn() -> Boost:
        boost = Boost.objects.create(
            post_id=post.pk,
            user_id=user.pk,
            coins=cost,
            starts_at=now,
            ends_at=now + timedelta(hours=settings.COINS_BOOST_HOURS),
        )
        change = Change(
            Type.COIN_SPEND,
            boost_spend_key(boost),
            coins=-cost,
            description=Sentence(
                gettext_noop("Boost of a post for %(hours)s hours"), {"hours": settings.COINS_BOOST_HOURS}
            ),
            related=boost,
        )
        if write_changes(user.pk, [change]) is None:
            # Short of coins: raising aborts the transaction, so the boost is not kept either.
            available = Wallet.objects.filter(user_id=user.pk).values_list("coins", flat=True).first()
            raise InsufficientCoins(needed=cost, available=available or 0)
        return boost

    try:
        with _wallet_lock(user.pk):
            boost = transact(txn)
    except IntegrityError:
        raise BoostError(_("This post is already boosted.")) from None
    # Explore shows it at once (its row caches the running boosts for a minute).
    cache.delete(BOOSTED_CACHE_KEY)
    return boost


def boost_refund_for_post(*, post_id: Any, now=None) -> list[LedgerEntry]:
    """Give back the coins of ``post_id``'s running boost (its post was removed); once per boost.

    Returns the refund lines written by this call (empty when there was nothing to refund,
    or a concurrent call refunded it first).
    """
    now = now or timezone.now()
    refunds = []
    for boost in Boost.objects.filter(post_id=post_id, status=Boost.Status.ACTIVE):
        if boost.ends_at <= now:
            continue  # it ran its full time: nothing to give back

        def txn(boost: Boost = boost) -> list[LedgerEntry] | None:
            claimed = Boost.objects.filter(pk=boost.pk, status=Boost.Status.ACTIVE).update(
                status=Boost.Status.REFUNDED, refunded_at=now
            )
            if claimed != 1:
                return None  # refunded (or expired) by someone else
            return write_changes(
                boost.user_id,
                [
                    Change(
                        Type.COIN_REFUND,
                        boost_refund_key(boost),
                        coins=boost.coins,
                        description=Sentence(gettext_noop("Refund of a boost: the post was removed")),
                        related=boost,
                        reverses_key=boost_spend_key(boost),
                    )
                ],
            )

        try:
            with _wallet_lock(boost.user_id):
                entries = transact(txn)
        except IntegrityError:  # the refund key is taken: already given back
            continue
        refunds.extend(entries or [])
    return refunds


def running_boost(*, post_id: Any, now=None) -> Boost | None:
    """The post's boost that is still running, if any."""
    now = now or timezone.now()
    return (
        Boost.objects.filter(post_id=post_id, status=Boost.Status.ACTIVE, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )
