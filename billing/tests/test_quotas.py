"""reset_quotas: expire unused allowance, grant the new period, exactly once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from billing.models import LedgerEntry, Wallet
from billing.selectors import ledger_drifts
from billing.services import credits_charge, wallet_for
from billing.services.quotas import quotas_reset, reset_key
from billing.tasks import reset_quotas
from modelsnapper.testing.factories import SubscriptionFactory, UserFactory

Type = LedgerEntry.Type


def make_due(user, days_ago=1):
    wallet = Wallet.objects.get(user_id=user.pk)
    end = (timezone.now() - timedelta(days=days_ago)).replace(microsecond=0)
    Wallet.objects.filter(pk=wallet.pk).update(period_end=end, period_start=end - timedelta(days=30))
    return end


def test_reset_expires_unused_allowance_and_grants_the_plan(owner, friend, catalog):
    wallet_for(owner)
    wallet_for(friend)
    credits_charge(user=owner, amount=3, idempotency_key="spent")
    end = make_due(owner)
    report = quotas_reset()
    assert (report.due, report.reset) == (1, 1)
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert wallet.allowance == 10
    assert wallet.period_start == end and wallet.period_end > timezone.now()
    expiry = LedgerEntry.objects.get(user_id=owner.pk, entry_type=Type.ALLOWANCE_EXPIRY)
    assert expiry.amount == -7
    assert LedgerEntry.objects.filter(idempotency_key=reset_key(owner.pk, end)).exists()
    assert Wallet.objects.get(user_id=friend.pk).allowance == 10  # not due: untouched
    assert quotas_reset().reset == 0  # a re-run changes nothing
    assert ledger_drifts() == []


def test_dormant_wallet_jumps_to_the_current_period(owner, catalog):
    wallet_for(owner)
    make_due(owner, days_ago=95)
    quotas_reset()
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert wallet.period_start <= timezone.now() < wallet.period_end
    assert LedgerEntry.objects.filter(user_id=owner.pk, entry_type=Type.SUBSCRIPTION_GRANT).count() == 2


def test_lapsed_paid_plan_falls_back_to_free(owner, catalog):
    wallet_for(owner)
    Wallet.objects.filter(user_id=owner.pk).update(plan_code="pro")
    SubscriptionFactory(user=owner, tier="pro", status="canceled")
    make_due(owner)
    quotas_reset()
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert (wallet.plan_code, wallet.allowance) == ("free", 10)


def test_active_paid_plan_gets_its_allowance(owner, catalog):
    wallet_for(owner)
    Wallet.objects.filter(user_id=owner.pk).update(plan_code="plus")
    SubscriptionFactory(user=owner, tier="plus", status="active")
    make_due(owner)
    quotas_reset()
    assert Wallet.objects.get(user_id=owner.pk).allowance == 100


def test_reset_twice_concurrently_grants_once_per_user_per_period(catalog):
    users = [UserFactory(verified_email=False) for _ in range(12)]
    for user in users:
        wallet_for(user)
        credits_charge(user=user, amount=2, idempotency_key=f"spend:{user.pk}")
        make_due(user)
    now = timezone.now()
    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(lambda _: quotas_reset(now=now, batch_size=5), range(4)))
    assert sum(r.reset for r in reports) == 12
    for user in users:
        grants = LedgerEntry.objects.filter(user_id=user.pk, idempotency_key__startswith=f"reset:{user.pk}:")
        assert grants.count() == 1
        assert Wallet.objects.get(user_id=user.pk).allowance == 10
    assert ledger_drifts() == []


def test_command_dry_run_writes_nothing_and_reports(owner, catalog, capsys):
    wallet_for(owner)
    make_due(owner)
    before = LedgerEntry.objects.count()
    call_command("reset_quotas", "--dry-run")
    assert "1 wallet(s) due" in capsys.readouterr().out
    assert LedgerEntry.objects.count() == before
    call_command("reset_quotas", "--batch-size", "10", verbosity=2)
    out = capsys.readouterr().out
    assert "1/1 wallets done" in out and "1 wallet(s) reset" in out
    call_command("reset_quotas")
    assert "0 wallet(s) reset" in capsys.readouterr().out


def test_beat_task_runs_the_reset(owner, catalog, settings):
    wallet_for(owner)
    make_due(owner)
    assert reset_quotas.delay().get() == {"due": 1, "reset": 1, "skipped": 0}
    assert settings.CELERY_BEAT_SCHEDULE["reset-quotas"]["task"] == "billing.tasks.reset_quotas"


def test_a_wallet_charged_after_listing_expires_what_is_really_left(owner, friend, catalog):
    from billing.services.quotas import PlanCache, _reset_batch, due_wallets

    wallet_for(owner)
    wallet_for(friend)
    make_due(owner)
    make_due(friend)
    now = timezone.now()
    listed = due_wallets(now)
    credits_charge(user=owner, amount=4, idempotency_key="between")  # after the listing
    assert _reset_batch(listed, PlanCache(), now) == (2, 0)
    expiry = LedgerEntry.objects.get(user_id=owner.pk, entry_type=Type.ALLOWANCE_EXPIRY)
    assert expiry.amount == -6
    assert LedgerEntry.objects.get(user_id=friend.pk, entry_type=Type.ALLOWANCE_EXPIRY).amount == -10
    assert ledger_drifts() == []
    assert _reset_batch(listed, PlanCache(), now) == (0, 2)  # stale listing again: nothing twice
