"""Royalties on the ledger: accrue once, claw back once, pay out, reconcile."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from billing.exceptions import BillingError
from billing.models import LedgerEntry, Wallet
from billing.selectors import ledger_drifts
from billing.services import royalty_accrue, royalty_balances, royalty_clawback, royalty_payout


def royalty_total(user) -> int:
    return sum(
        LedgerEntry.objects.filter(user_id=user.pk, currency="royalty").values_list("amount", flat=True)
    )


def test_accrue_is_once_per_job_and_leaves_credits_alone(owner, catalog):
    first = royalty_accrue(job_id="job1", model_user=owner, amount_cents=100)
    again = royalty_accrue(job_id="job1", model_user=owner, amount_cents=100)
    royalty_accrue(job_id="job2", model_user=owner, amount_cents=100)
    assert first.pk == again.pk and first.idempotency_key == "royalty:job1:accrue"
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert wallet.royalty_cents == 200 == royalty_total(owner)
    assert (wallet.allowance, wallet.purchased) == (10, 0)
    assert ledger_drifts(owner.pk) == []


def test_clawback_is_once_and_only_for_an_accrued_job(owner, catalog):
    assert royalty_clawback(job_id="never") is None
    royalty_accrue(job_id="job1", model_user=owner, amount_cents=100)
    first = royalty_clawback(job_id="job1")
    again = royalty_clawback(job_id="job1")
    assert first.pk == again.pk and first.amount == -100 and first.reverses_key == "royalty:job1:accrue"
    assert Wallet.objects.get(user_id=owner.pk).royalty_cents == 0 == royalty_total(owner)
    assert LedgerEntry.objects.filter(idempotency_key__startswith="royalty:job1:").count() == 2


def test_pending_for_the_window_then_payable_then_paid(owner, staff, stranger, catalog, settings):
    settings.MARKETPLACE_ROYALTY_WINDOW_DAYS = 14
    royalty_accrue(job_id="old", model_user=owner, amount_cents=100)
    royalty_accrue(job_id="new", model_user=owner, amount_cents=100)
    LedgerEntry.objects.filter(idempotency_key="royalty:old:accrue").update(
        created_at=timezone.now() - timedelta(days=15)
    )
    balances = royalty_balances(model_user=owner)
    assert (balances.pending_cents, balances.payable_cents, balances.paid_cents) == (100, 100, 0)

    with pytest.raises(BillingError):
        royalty_payout(model_user=owner, amount_cents=100, reference="wire-1", staff_user=stranger)
    with pytest.raises(BillingError):
        royalty_payout(model_user=owner, amount_cents=200, reference="wire-1", staff_user=staff)
    payout = royalty_payout(model_user=owner, amount_cents=100, reference="wire-1", staff_user=staff)
    assert payout.created_by_id == staff.pk and payout.amount == -100
    balances = royalty_balances(model_user=owner)
    assert (balances.pending_cents, balances.payable_cents, balances.paid_cents) == (100, 0, 100)
    assert ledger_drifts() == []

    # A refund inside the window claws the pending royalty back.
    royalty_clawback(job_id="new")
    balances = royalty_balances(model_user=owner)
    assert (balances.pending_cents, balances.payable_cents, balances.paid_cents) == (0, 0, 100)
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert wallet.royalty_cents == royalty_total(owner) == 0


def test_reconcile_ledger_covers_royalties(owner, catalog, capsys):
    royalty_accrue(job_id="job1", model_user=owner, amount_cents=100)
    call_command("reconcile_ledger")
    Wallet.objects.filter(user_id=owner.pk).update(royalty_cents=500)  # bypassed the services
    with pytest.raises(CommandError) as info:
        call_command("reconcile_ledger", "--user", owner.username)
    assert info.value.returncode == 1
    assert "royalty_cents wallet=500 ledger=100" in capsys.readouterr().err


def test_staff_record_a_payout_in_the_admin(client, owner, staff, catalog):
    royalty_accrue(job_id="old", model_user=owner, amount_cents=300)
    LedgerEntry.objects.filter(idempotency_key="royalty:old:accrue").update(
        created_at=timezone.now() - timedelta(days=20)
    )
    wallet = Wallet.objects.get(user_id=owner.pk)
    url = f"/admin/billing/wallet/{wallet.pk}/royalty-payout/"
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and "Pending: $0.00 · Payable: $3.00 · Paid: $0.00" in page.text
    too_much = client.post(url, {"amount_cents": 500, "reference": "wire-9"})
    assert too_much.status_code == 200 and "Only $3.00 is payable" in too_much.text
    done = client.post(url, {"amount_cents": 200, "reference": "wire-9"})
    assert done.status_code == 302
    balances = royalty_balances(model_user=owner)
    assert (balances.payable_cents, balances.paid_cents) == (100, 200)
    assert ledger_drifts() == []
