"""The coin economy on the ledger (seed 003): grants, the daily bonus, gifts, rewards, tips
and achievements.

Every change goes through the ledger's own writers, under an idempotency key that
names what is paid for (``reward:first_post:<user>``, ``achievement:<user>:<code>``), so
a repeated or concurrent trigger pays once: the ledger's unique index on the key is the
guard, the look-ups before it only spare a write when the key is already taken.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

from billing.exceptions import InsufficientCoins, TransferError
from billing.models import Achievement, LedgerEntry, Wallet
from billing.services.ledger import (
    Change,
    _NoWallet,
    _run_for_user,
    _wallet_in_txn,
    _wallet_lock,
    _write_one,
    apply_changes,
    transact,
    wallet_for,
    write_changes,
)
from modelsnapper.notices import notify_after_commit
from modelsnapper.sentences import Sentence

Type = LedgerEntry.Type


def coins_grant(
    *,
    user: Any,
    amount: int,
    idempotency_key: str,
    entry_type: str = Type.COIN_BONUS,
    description: str | Sentence = "",
    related: Any = None,
) -> LedgerEntry:
    """Add coins (daily bonus, rewards), exactly once per key."""
    if amount <= 0:
        raise ValueError("a coin grant must be positive")
    change = Change(entry_type, idempotency_key, coins=amount, description=description, related=related)
    return _write_one(user, change)


def coins_daily_bonus(*, user: Any, today=None) -> tuple[LedgerEntry, bool]:
    """Claim today's bonus; returns (entry, created). Once per UTC day."""
    day = (today or timezone.now().date()).isoformat()
    key = f"coins:daily:{user.pk}:{day}"
    before = LedgerEntry.objects.filter(idempotency_key=key).one()
    if before is not None:
        return before, False
    entry = coins_grant(
        user=user,
        amount=settings.BILLING_DAILY_BONUS_COINS,
        idempotency_key=key,
        entry_type=Type.COIN_DAILY_BONUS,
        description=Sentence(gettext_noop("Daily bonus for %(day)s"), {"day_date": day}),
    )
    return entry, True


def coins_transfer(
    *,
    sender: Any,
    recipient: Any,
    amount: int,
    idempotency_key: str,
    out_type: str = Type.COIN_GIFT_OUT,
    in_type: str = Type.COIN_GIFT_IN,
    related: Any = None,
    what: str = "",
) -> LedgerEntry:
    """Move coins between two users in one transaction; returns the sender's entry.

    A gift by default; a tip passes the spend/earn types, the post it tips (``related``) and
    ``what`` it is ("Tip") for the descriptions.
    """
    if amount <= 0:
        raise TransferError(gettext("Send at least one coin."))
    if recipient is None:
        raise TransferError(gettext("That user does not exist."))
    if sender.pk == recipient.pk:
        raise TransferError(gettext("You cannot send coins to yourself."))
    wallet_for(recipient)
    out_key, in_key = f"{idempotency_key}:out", f"{idempotency_key}:in"

    def body(sender_wallet: Wallet) -> LedgerEntry:
        if sender_wallet.coins < amount:
            raise InsufficientCoins(needed=amount, available=sender_wallet.coins)
        recipient_wallet = _wallet_in_txn(recipient.pk)
        out = apply_changes(
            sender_wallet,
            [
                Change(
                    out_type,
                    out_key,
                    coins=-amount,
                    description=Sentence(
                        gettext_noop("Tip to %(name)s") if what else gettext_noop("Sent to %(name)s"),
                        {"name": recipient.username},
                    ),
                    related=related or ("accounts.user", recipient.pk),
                )
            ],
        )[0]
        apply_changes(
            recipient_wallet,
            [
                Change(
                    in_type,
                    in_key,
                    coins=amount,
                    description=Sentence(
                        gettext_noop("Tip from %(name)s") if what else gettext_noop("Gift from %(name)s"),
                        {"name": sender.username},
                    ),
                    related=related or ("accounts.user", sender.pk),
                )
            ],
        )
        return out

    entry = _run_for_user(sender, out_key, body)
    # The key of the recipient's ledger line keeps the notice to one when a request is retried.
    notify_after_commit(
        recipient_id=recipient.pk,
        actor_id=sender.pk,
        kind="coin_earned",
        text=Sentence(
            gettext_noop("%(name)s sent you %(count)s coin."),
            {"name": sender.username, "count": amount},
            plural=gettext_noop("%(name)s sent you %(count)s coins."),
        ),
        url=reverse("billing:coins"),
        key=f"coins:{in_key}",
    )
    return entry


class Reward:
    """What a reward is for, and how many coins it pays (once per user, or per post)."""

    FIRST_POST = "first_post"
    FIRST_GENERATION = "first_generation"
    POST_LIKES = "post_likes"


POST_LIKES_REWARD_AT = 10
REWARD_COINS = {Reward.FIRST_POST: 20, Reward.FIRST_GENERATION: 20, Reward.POST_LIKES: 25}
REWARD_TEXT = {
    Reward.FIRST_POST: Sentence(gettext_noop("Reward: your first post")),
    Reward.FIRST_GENERATION: Sentence(gettext_noop("Reward: your first generation")),
    Reward.POST_LIKES: Sentence(
        gettext_noop("Reward: a post of yours reached %(count)s likes"), {"count": POST_LIKES_REWARD_AT}
    ),
}

ACHIEVEMENT_COINS = {
    Achievement.Code.FIRST_POST: 10,
    Achievement.Code.LIKES_100: 100,
    Achievement.Code.FOLLOWERS_10: 50,
    Achievement.Code.FIRST_MODEL: 50,
}

TIP_MAX = 10_000


def reward_key(*, user: Any, reward: str, related: Any = None) -> str:
    """One key per user (first post, first generation) or per post (likes): the unit of "once"."""
    if reward == Reward.POST_LIKES:
        return f"reward:{reward}:{related.pk}"
    return f"reward:{reward}:{user.pk}"


def coins_reward(*, user: Any, reward: str, related: Any = None) -> LedgerEntry | None:
    """Pay ``reward`` to ``user`` once; None when it was already paid (no write at all)."""
    key = reward_key(user=user, reward=reward, related=related)
    if LedgerEntry.objects.filter(idempotency_key=key).exists():
        return None
    entry = coins_grant(
        user=user,
        amount=REWARD_COINS[reward],
        idempotency_key=key,
        entry_type=Type.COIN_REWARD,
        description=REWARD_TEXT[reward],
        related=related,
    )
    return entry


def coins_tip(*, sender: Any, post: Any, amount: int, idempotency_key: str) -> LedgerEntry:
    """Tip the author of ``post``: the sender's spend and the author's earning in one transaction.

    Raises ``InsufficientCoins`` (nothing written) when the sender is short and
    ``TransferError`` for a tip to oneself or outside 1..TIP_MAX.
    """
    if not 1 <= amount <= TIP_MAX:
        raise TransferError(
            gettext("Tip between 1 and %(most)s coins.")
            % {"most": number_format(TIP_MAX, force_grouping=True)}
        )
    if post.author_id == sender.pk:
        raise TransferError(gettext("You can't tip your own post."))
    return coins_transfer(
        sender=sender,
        recipient=post.author,
        amount=amount,
        idempotency_key=f"tip:{sender.pk}:{idempotency_key}",
        out_type=Type.COIN_SPEND,
        in_type=Type.COIN_EARN,
        related=post,
        what="Tip",
    )


def achievement_grant(*, user: Any, code: str) -> Achievement | None:
    """Give ``user`` the badge ``code`` and its coins, once, and tell them; None if they had it.

    The badge row and its ledger entry commit in one transaction: the unique index on
    (user, code), and the ledger's on ``achievement:<user>:<code>``, refuse a second grant
    whole, so a race between two triggers pays exactly once.
    """
    if Achievement.objects.filter(user_id=user.pk, code=code).exists():
        return None
    label = Achievement.Code(code).label
    # The badge's name as its msgid: stored sentences are English, shown translated.
    with translation.override(settings.LANGUAGE_CODE):
        label_msgid = str(label)
    coins = ACHIEVEMENT_COINS[code]
    change = Change(
        Type.COIN_ACHIEVEMENT,
        f"achievement:{user.pk}:{code}",
        coins=coins,
        description=Sentence(gettext_noop("Achievement: %(badge)s"), {"badge_msgid": label_msgid}),
    )

    def txn() -> Achievement:
        badge = Achievement.objects.create(user_id=user.pk, code=code)
        change.related = badge
        if write_changes(user.pk, [change]) is None:
            raise _NoWallet
        # Queued only if this commits; the key keeps it to one even if the grant is retried.
        notify_after_commit(
            recipient_id=user.pk,
            kind="coin_earned",
            text=Sentence(
                gettext_noop("You earned the “%(badge)s” badge and %(count)s coin."),
                {"badge_msgid": label_msgid, "count": coins},
                plural=gettext_noop("You earned the “%(badge)s” badge and %(count)s coins."),
            ),
            url=reverse("accounts:profile", kwargs={"username": user.username}),
            key=f"achievement:{user.pk}:{code}",
        )
        return badge

    for _ in range(2):
        try:
            with _wallet_lock(user.pk):
                return transact(txn)
        except _NoWallet:
            wallet_for(user)
        except IntegrityError:
            return None
    return None  # pragma: no cover


def remix_earn_key(*, remixer_id: Any, image_id: Any) -> str:
    """One earning per (remixer, source image): remixing it again pays nothing more."""
    return f"remix:{remixer_id}:{image_id}"


def coins_remix_earn(*, job: Any) -> LedgerEntry | None:
    """Pay the creator of the public image ``job`` remixes (``job.remix_of``), once per remixer.

    None when there is nothing to pay: no source, the remixer's own image, or this person
    remixed this image before (the ledger's unique key also settles two at once).
    """
    image = job.remix_of
    if image is None or image.user_id == job.user_id:
        return None
    key = remix_earn_key(remixer_id=job.user_id, image_id=image.pk)
    if LedgerEntry.objects.filter(idempotency_key=key).exists():
        return None
    amount = settings.COINS_REMIX_EARN
    entry = coins_grant(
        user=image.user,
        amount=amount,
        idempotency_key=key,
        entry_type=Type.COIN_EARN,
        description=Sentence(gettext_noop("%(name)s remixed your image"), {"name": job.user.username}),
        related=job,
    )
    notify_after_commit(
        recipient_id=image.user_id,
        actor_id=job.user_id,
        kind="coin_earned",
        text=Sentence(
            gettext_noop("%(name)s remixed your image: you earned %(count)s coin."),
            {"name": job.user.username, "count": amount},
            plural=gettext_noop("%(name)s remixed your image: you earned %(count)s coins."),
        ),
        url=reverse("billing:coins"),
        key=f"coins:{key}",
    )
    return entry


# --- refunds of coin packs ------------------------------------------------------------------


class CoinChange(Change):
    """A ledger change that is a coin line even when no coin moves.

    A plain :class:`Change` takes its currency from a non-zero ``coins``; a revocation
    that finds every coin already spent moves nothing and would be written as a credit
    line. Its shortfall is in coins, so the line stays on the coin side.
    """

    @property
    def currency(self) -> str:
        return LedgerEntry.Currency.COINS

    @property
    def bucket(self) -> str:
        return LedgerEntry.Bucket.COINS


def coins_refund_share(
    *, granted: int, paid_cents: int, refunded_before_cents: int, refund_cents: int
) -> int:
    """The coins a refund of ``refund_cents`` owes back out of ``granted`` bought for ``paid_cents``.

    The refunded total's share, floored, less what the refunds before it owed: each
    partial refund takes its floored share and the one that completes the refund takes
    exactly the rest, so a purchase refunded in pieces gives back every coin it granted,
    never one more.
    """
    if paid_cents <= 0:
        return 0

    def owed(cents: int) -> int:
        return min(granted, granted * max(0, cents) // paid_cents)

    return owed(refunded_before_cents + refund_cents) - owed(refunded_before_cents)


def coins_revocation(
    *, available: int, owed: int, idempotency_key: str, description: str | Sentence, related: Any
) -> CoinChange:
    """The ledger change taking ``owed`` coins back from a wallet that has ``available``.

    Coins already gifted, tipped or spent on boosts are gone: only what is left is taken
    and the rest is recorded as the entry's ``shortfall`` (in coins), as a credit
    revocation records its spent credits. The caller applies it with the rest of its
    transaction (``apply_changes``), having read ``available`` in that transaction.
    """
    taken = max(0, min(owed, available))
    return CoinChange(
        Type.REVOCATION,
        idempotency_key,
        coins=-taken,
        shortfall=owed - taken,
        description=description,
        related=related,
    )
