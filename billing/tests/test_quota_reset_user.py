"""A per-user quota reset (issue #15 item 9): an admin action on users and
``reset_quotas --user``, through the same reset the nightly run uses, audited on the ledger
(the staff member on each entry, when, and what was expired and granted)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from billing.models import LedgerEntry, Wallet
from billing.selectors import ledger_drifts
from billing.services import credits_charge, wallet_for
from billing.services.quotas import quotas_reset, wallet_quota_reset

Type = LedgerEntry.Type


def reset_entries(user):
    return LedgerEntry.objects.filter(
        user_id=user.pk, entry_type__in=[Type.ALLOWANCE_EXPIRY, Type.SUBSCRIPTION_GRANT]
    ).exclude(idempotency_key__startswith="signup:")


def test_staff_resets_one_users_quota_from_the_admin_and_the_ledger_names_them(
    client, staff, owner, friend, catalog
):
    wallet_for(owner)
    wallet_for(friend)
    credits_charge(user=owner, amount=7, idempotency_key="spent")
    credits_charge(user=friend, amount=2, idempotency_key="friend-spent")
    before = timezone.now().replace(microsecond=0)  # a period starts on a whole second (its ledger key)
    client.force_login(staff)

    response = client.post(
        "/admin/accounts/user/", {"action": "reset_quota", "_selected_action": [str(owner.pk)]}
    )

    assert response.status_code == 302
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert wallet.allowance == 10
    assert before <= wallet.period_start <= timezone.now() < wallet.period_end
    expiry, grant = sorted(reset_entries(owner), key=lambda entry: entry.amount)
    assert (expiry.entry_type, expiry.amount, grant.entry_type, grant.amount) == (
        Type.ALLOWANCE_EXPIRY,
        -3,
        Type.SUBSCRIPTION_GRANT,
        10,
    )
    assert expiry.created_by_id == grant.created_by_id == staff.pk
    assert "reset by staff" in grant.description
    assert Wallet.objects.get(user_id=friend.pk).allowance == 8  # not selected: untouched
    assert ledger_drifts() == []
    page = client.get("/admin/accounts/user/")
    assert "Quota reset for 1 user." in page.content.decode()


def test_the_nightly_run_does_not_reset_again_a_wallet_staff_just_reset(staff, owner, catalog):
    wallet_for(owner)
    credits_charge(user=owner, amount=4, idempotency_key="spent")
    Wallet.objects.filter(user_id=owner.pk).update(period_end=timezone.now() - timedelta(days=1))

    assert wallet_quota_reset(user=owner, staff_user=staff) is True
    report = quotas_reset()

    assert (report.due, report.reset) == (0, 0)
    assert Wallet.objects.get(user_id=owner.pk).allowance == 10
    assert reset_entries(owner).filter(entry_type=Type.SUBSCRIPTION_GRANT).count() == 1
    assert ledger_drifts() == []


def test_only_staff_may_reset_a_quota(owner, friend, catalog):
    wallet_for(owner)
    credits_charge(user=owner, amount=4, idempotency_key="spent")

    with pytest.raises(PermissionDenied):
        wallet_quota_reset(user=owner, staff_user=friend)

    assert Wallet.objects.get(user_id=owner.pk).allowance == 6
    assert not reset_entries(owner).exists()


@pytest.mark.parametrize("by", ["email", "id"])
def test_the_command_resets_one_user_named_by_email_or_id_and_records_the_staff_member(
    staff, owner, friend, catalog, capsys, by
):
    wallet_for(owner)
    wallet_for(friend)
    credits_charge(user=owner, amount=5, idempotency_key="spent")
    credits_charge(user=friend, amount=5, idempotency_key="friend-spent")

    call_command(
        "reset_quotas", "--user", owner.email if by == "email" else str(owner.pk), "--by", staff.email
    )

    assert Wallet.objects.get(user_id=owner.pk).allowance == 10
    assert Wallet.objects.get(user_id=friend.pk).allowance == 5
    assert {entry.created_by_id for entry in reset_entries(owner)} == {staff.pk}
    assert "Quota reset for owner" in capsys.readouterr().out
    assert ledger_drifts() == []


def test_the_command_refuses_an_unknown_user_or_a_non_staff_actor_with_a_sentence(staff, owner, catalog):
    wallet_for(owner)

    with pytest.raises(CommandError, match="No user with the id or email 'nobody@example.com'."):
        call_command("reset_quotas", "--user", "nobody@example.com", "--by", staff.email)
    with pytest.raises(CommandError, match="--by must name a staff member"):
        call_command("reset_quotas", "--user", owner.email, "--by", owner.email)
    with pytest.raises(CommandError, match="--by"):
        call_command("reset_quotas", "--user", owner.email)

    assert not reset_entries(owner).exists()
