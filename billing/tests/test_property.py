"""Thousands of random money operations: the ledger never drifts from the wallets."""

import itertools
import os
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.exceptions import InsufficientCoins, InsufficientCredits, TransferError
from billing.models import LedgerEntry, Wallet
from billing.selectors import ledger_drifts
from billing.services import coins_transfer, credits_charge, credits_grant, credits_refund, wallet_for
from billing.services.quotas import wallet_reset

USERS = 3
# Every simulated period end is a distinct minute, so reset keys never collide across examples.
_minutes = itertools.count(1)
user_index = st.integers(0, USERS - 1)
operation = st.one_of(
    st.tuples(st.just("grant"), user_index, st.sampled_from(["allowance", "purchased"]), st.integers(1, 40)),
    st.tuples(st.just("charge"), user_index, st.integers(1, 30)),
    st.tuples(st.just("refund"), st.integers(0, 50)),
    st.tuples(st.just("reset"), user_index),
    st.tuples(st.just("gift"), user_index, user_index, st.integers(1, 120)),
)


@pytest.fixture
def people(catalog):
    from modelsnapper.testing.factories import UserFactory

    users = [UserFactory(verified_email=False) for _ in range(USERS)]
    for user in users:
        wallet_for(user)
    return users


# About 25 x 70 = 1,750 operations per run; BILLING_PROPERTY_EXAMPLES turns it up.
@settings(
    max_examples=int(os.environ.get("BILLING_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(operation, min_size=40, max_size=100))
def test_random_operations_keep_every_wallet_equal_to_its_ledger(people, ops):
    run = uuid.uuid4().hex[:8]
    model = {
        u.pk: Wallet.objects.filter(user_id=u.pk).values("allowance", "purchased", "coins").get()
        for u in people
    }
    charges = []  # (key, user pk, allowance part, purchased part)
    refunded = set()
    for n, op in enumerate(ops):
        key = f"prop:{run}:{n}"
        kind = op[0]
        if kind == "grant":
            _, who, bucket, amount = op
            user = people[who]
            credits_grant(user=user, amount=amount, bucket=bucket, entry_type="bonus", idempotency_key=key)
            model[user.pk][bucket] += amount
        elif kind == "charge":
            _, who, amount = op
            user = people[who]
            state = model[user.pk]
            if state["allowance"] + state["purchased"] < amount:
                with pytest.raises(InsufficientCredits):
                    credits_charge(user=user, amount=amount, idempotency_key=key)
                continue
            credits_charge(user=user, amount=amount, idempotency_key=key)
            from_allowance = min(state["allowance"], amount)
            state["allowance"] -= from_allowance
            state["purchased"] -= amount - from_allowance
            charges.append((key, user.pk, from_allowance, amount - from_allowance))
        elif kind == "refund":
            if not charges:
                continue
            charge_key, pk, allowance, purchased = charges[op[1] % len(charges)]
            credits_refund(charge_key=charge_key, idempotency_key=f"{key}:refund", reason="property")
            if charge_key not in refunded:
                refunded.add(charge_key)
                model[pk]["allowance"] += allowance
                model[pk]["purchased"] += purchased
        elif kind == "reset":
            user = people[op[1]]
            Wallet.objects.filter(user_id=user.pk).update(
                period_end=timezone.now() - timedelta(minutes=next(_minutes))
            )
            assert wallet_reset(wallet_id=Wallet.objects.get(user_id=user.pk).pk)
            model[user.pk]["allowance"] = 10
        else:
            _, a, b, amount = op
            sender, recipient = people[a], people[b]
            if a == b:
                with pytest.raises(TransferError):
                    coins_transfer(sender=sender, recipient=recipient, amount=amount, idempotency_key=key)
            elif model[sender.pk]["coins"] < amount:
                with pytest.raises(InsufficientCoins):
                    coins_transfer(sender=sender, recipient=recipient, amount=amount, idempotency_key=key)
            else:
                coins_transfer(sender=sender, recipient=recipient, amount=amount, idempotency_key=key)
                model[sender.pk]["coins"] -= amount
                model[recipient.pk]["coins"] += amount
    for user in people:
        assert (
            Wallet.objects.filter(user_id=user.pk).values("allowance", "purchased", "coins").get()
            == model[user.pk]
        )
    assert ledger_drifts() == []
    assert not LedgerEntry.objects.filter(allowance_after__lt=0).exists()
    assert not LedgerEntry.objects.filter(purchased_after__lt=0).exists()
    assert not LedgerEntry.objects.filter(coins_after__lt=0).exists()
