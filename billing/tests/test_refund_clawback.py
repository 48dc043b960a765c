"""A Stripe refund of credits already spent on human-model generations claws their royalties back.

Issue #5 item 5: "a refund of that generation or a charge refund claws the
royalty back exactly once". Refunds arrive as signed ``charge.refunded``
events at the real webhook. The business buys the business pack (1,000
credits for $69.00, human-model access) on top of its 10 free allowance
credits; each generation below costs 250 credits, so the first one draws 10
from the allowance and 240 from the purchase, the next ones 250 each.
"""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.models import LedgerEntry, Package, Payment, Wallet
from billing.selectors import ledger_drifts
from billing.services import credits_charge, royalty_accrue, royalty_balances, royalty_clawback
from billing.services import royalties as royalties_module
from modelsnapper.testing import seams
from modelsnapper.testing.stripe_events import buy_package as buy
from modelsnapper.testing.stripe_events import refund_event

Type = LedgerEntry.Type
COST = 250
ROYALTY = 100


@pytest.fixture
def business_pack(catalog):
    return Package.objects.get(stripe_price_id="price_pack_business")  # 1,000 credits, $69.00


def generate(business, model, job_id: str, cost: int = COST) -> None:
    """What a completed human-model generation leaves on the ledger: its charge and the royalty."""
    credits_charge(
        user=business,
        amount=cost,
        idempotency_key=f"gen:{job_id}:charge",
        related=("generation.job", job_id),
    )
    royalty_accrue(job_id=job_id, model_user=model, amount_cents=ROYALTY)


def clawed_back(model) -> list[str]:
    """Job ids whose royalty was clawed back, in the order the clawbacks were written."""
    return [
        entry.related_id
        for entry in LedgerEntry.objects.filter(user_id=model.pk, entry_type=Type.ROYALTY_CLAWBACK).order_by(
            "created_at", "pk"
        )
    ]


def royalty_of(model) -> int:
    return Wallet.objects.get(user_id=model.pk).royalty_cents


def assert_reconciled() -> None:
    call_command("reconcile_ledger", verbosity=0)  # raises CommandError (exit 1) on any drift
    assert ledger_drifts() == []


# --- the real generation path -------------------------------------------------------------


@pytest.fixture
def listed_model(model):
    """The model with references and the signed release."""
    from generation.marketplace.onboarding import RELEASE_VERSION, model_references_set, model_release_sign
    from modelsnapper.testing.media import reference_uploads

    model_references_set(user=model, uploads=reference_uploads(3))
    model_release_sign(user=model, version=RELEASE_VERSION, ip="203.0.113.9")
    return model


@pytest.fixture
def buying_business(business, listed_model):
    """The business, whose consent request the model approved."""
    from generation.marketplace.consent import consent_approve, consent_request_create

    request, _ = consent_request_create(business=business, model=listed_model)
    consent_approve(model=listed_model, request=request)
    return business


def test_full_refund_after_real_generations_claws_each_royalty_back_once(
    buying_business, listed_model, business_pack, stripe_post
):
    from generation.models import Job
    from generation.services import job_submit
    from modelsnapper.testing.factories import AIModelFactory

    session = buy(buying_business, business_pack, stripe_post)
    ai_model = AIModelFactory(slug="local-dear", provider="local", credit_cost=COST)
    jobs = [
        job_submit(
            user=buying_business,
            ai_model=ai_model,
            prompt="Linen shirt",
            human_model=listed_model,
            category="casual",
        )
        for _ in range(4)
    ]
    assert [Job.objects.get(pk=job.pk).status for job in jobs] == ["completed"] * 4
    assert royalty_of(listed_model) == 4 * ROYALTY
    wallet = Wallet.objects.get(user_id=buying_business.pk)
    assert (wallet.allowance, wallet.purchased) == (0, 10)

    response = stripe_post(refund_event(session, [("re_full", 6900)]))
    assert response.status_code == 200

    revocation = LedgerEntry.objects.get(entry_type=Type.REVOCATION)
    assert (revocation.amount, revocation.shortfall) == (-10, 990)
    # 250 + 250 + 250 + 240 purchased credits spent: all four cover the 990.
    assert clawed_back(listed_model) == [str(job.pk) for job in reversed(jobs)]
    for job in jobs:
        entry = LedgerEntry.objects.get(idempotency_key=f"royalty:{job.pk}:clawback")
        assert (entry.amount, entry.reverses_key) == (-ROYALTY, f"royalty:{job.pk}:accrue")
        assert "re_full" in entry.description
    assert royalty_of(listed_model) == 0
    # The generations themselves now earn nothing (the license and usage pages read this).
    assert [Job.objects.get(pk=job.pk).royalty_cents for job in jobs] == [0] * 4
    balances = royalty_balances(model_user=listed_model)
    assert (balances.pending_cents, balances.payable_cents) == (0, 0)
    assert Wallet.objects.get(user_id=buying_business.pk).purchased == 0
    assert_reconciled()


# --- the rule, on the ledger the generations leave ----------------------------------------


@pytest.fixture
def spent_business(owner, friend, business_pack, stripe_post):
    """The owner bought the pack and spent 990 of its credits on four generations with the friend."""
    session = buy(owner, business_pack, stripe_post)
    for job_id in ("job1", "job2", "job3", "job4"):
        generate(owner, friend, job_id)
    wallet = Wallet.objects.get(user_id=owner.pk)
    assert (wallet.allowance, wallet.purchased) == (0, 10)
    return session


def test_redelivered_and_repeated_refund_events_claw_back_once(owner, friend, spent_business, stripe_post):
    event = refund_event(spent_business, [("re_1", 6900)])
    assert [stripe_post(event).status_code for _ in range(2)] == [200, 200]
    # Stripe also sends a new event (new id) about the same refund.
    assert stripe_post(refund_event(spent_business, [("re_1", 6900)])).status_code == 200

    assert clawed_back(friend) == ["job4", "job3", "job2", "job1"]
    assert LedgerEntry.objects.filter(entry_type=Type.REVOCATION).count() == 1
    assert royalty_of(friend) == 0
    # A later staff refund of one generation finds its royalty already clawed back.
    assert royalty_clawback(job_id="job2").idempotency_key == "royalty:job2:clawback"
    assert LedgerEntry.objects.filter(entry_type=Type.ROYALTY_CLAWBACK).count() == 4
    assert_reconciled()


def test_refund_of_unspent_credits_claws_nothing_back(owner, friend, business_pack, stripe_post):
    session = buy(owner, business_pack, stripe_post)
    generate(owner, friend, "cheap", cost=5)  # paid from the free allowance only
    generate(owner, friend, "dear")  # 5 allowance + 245 purchased: 755 purchased left
    assert Wallet.objects.get(user_id=owner.pk).purchased == 755

    # 40% refunded: 400 purchased credits, all still unspent.
    assert stripe_post(refund_event(session, [("re_part", 2760)])).status_code == 200
    revocation = LedgerEntry.objects.get(entry_type=Type.REVOCATION)
    assert (revocation.amount, revocation.shortfall) == (-400, 0)
    assert clawed_back(friend) == []
    assert royalty_of(friend) == 2 * ROYALTY

    # The rest: 600 credits, 355 unspent, 245 short. Only the generation that drew
    # on purchased credits is clawed back; the allowance paid for the other one.
    assert stripe_post(refund_event(session, [("re_part", 2760), ("re_rest", 4140)])).status_code == 200
    assert LedgerEntry.objects.get(idempotency_key="stripe:refund:re_rest").shortfall == 245
    assert clawed_back(friend) == ["dear"]
    assert royalty_of(friend) == ROYALTY
    assert_reconciled()


def test_a_royalty_past_the_refund_window_is_not_clawed_back(
    owner, friend, spent_business, stripe_post, settings
):
    settings.MARKETPLACE_ROYALTY_WINDOW_DAYS = 14
    LedgerEntry.objects.filter(idempotency_key="royalty:job1:accrue").update(
        created_at=timezone.now() - timedelta(days=15)
    )
    assert royalty_balances(model_user=friend).payable_cents == ROYALTY

    assert stripe_post(refund_event(spent_business, [("re_1", 6900)])).status_code == 200
    # Payable already: the model keeps it, although its credits fall inside the shortfall.
    assert clawed_back(friend) == ["job4", "job3", "job2"]
    assert not LedgerEntry.objects.filter(idempotency_key="royalty:job1:clawback").exists()
    balances = royalty_balances(model_user=friend)
    assert (royalty_of(friend), balances.pending_cents, balances.payable_cents) == (ROYALTY, 0, ROYALTY)
    assert_reconciled()


def test_partial_refunds_claw_back_only_as_many_generations_as_their_shortfall(
    owner, friend, spent_business, stripe_post
):
    # 20%: 200 credits, 10 unspent, shortfall 190 -> the newest generation (250) covers it.
    stripe_post(refund_event(spent_business, [("re_1", 1380)]))
    assert clawed_back(friend) == ["job4"]
    assert royalty_of(friend) == 3 * ROYALTY

    # Another 30%: 300 credits, none unspent -> job3 (250) is not enough, job2 too.
    stripe_post(refund_event(spent_business, [("re_1", 1380), ("re_2", 2070)]))
    assert clawed_back(friend) == ["job4", "job3", "job2"]
    assert royalty_of(friend) == ROYALTY

    # The rest: 500 credits short -> only job1 is left to claw back.
    stripe_post(refund_event(spent_business, [("re_1", 1380), ("re_2", 2070), ("re_3", 3450)]))
    assert clawed_back(friend) == ["job4", "job3", "job2", "job1"]
    shortfalls = sorted(
        LedgerEntry.objects.filter(entry_type=Type.REVOCATION).values_list("idempotency_key", "shortfall")
    )
    assert shortfalls == [
        ("stripe:refund:re_1", 190),
        ("stripe:refund:re_2", 300),
        ("stripe:refund:re_3", 500),
    ]
    payment = Payment.objects.get(external_id=spent_business["id"])
    assert (payment.status, payment.refunded_cents, payment.credits_revoked) == ("refunded", 6900, 10)
    assert royalty_of(friend) == 0
    assert_reconciled()


def test_generations_before_the_purchase_or_refunded_ones_are_not_candidates(
    owner, friend, catalog, business_pack, stripe_post
):
    from billing.services import credits_grant, credits_refund

    credits_grant(
        user=owner, amount=300, bucket="purchased", entry_type=Type.BONUS, idempotency_key="earlier-pack"
    )
    generate(owner, friend, "before")  # paid with earlier purchased credits
    session = buy(owner, business_pack, stripe_post)
    generate(owner, friend, "refunded")
    credits_refund(charge_key="gen:refunded:charge", idempotency_key="gen:refunded:refund", reason="Staff")
    generate(owner, friend, "after")
    purchased = Wallet.objects.get(user_id=owner.pk).purchased
    assert purchased == 300 + 1000 - 240 - 250  # 10 allowance went to the first generation

    spent = stripe_post(refund_event(session, [("re_1", 6900)]))
    assert spent.status_code == 200
    # Only 810 purchased credits were left to revoke; 190 short, and only "after" is a candidate.
    assert LedgerEntry.objects.get(entry_type=Type.REVOCATION).shortfall == 190
    assert clawed_back(friend) == ["after"]
    assert_reconciled()


def test_a_concurrent_staff_clawback_of_the_same_generation_neither_doubles_nor_loses_the_refund(
    owner, friend, spent_business, stripe_post
):
    """A staff refund of job4 commits its clawback while the Stripe refund is deciding."""
    raced = []

    def race(*, candidates):
        raced.append([spent.job_id for spent in candidates])
        if len(raced) == 1:
            other = threading.Thread(target=lambda: royalty_clawback(job_id="job4", reason="Staff refund"))
            other.start()
            other.join()

    with seams.at("refund.clawback_candidates", race):
        assert stripe_post(refund_event(spent_business, [("re_1", 6900)])).status_code == 200

    # The refund's transaction ran again and then saw the staff clawback.
    assert raced == [["job4", "job3", "job2", "job1"], ["job3", "job2", "job1"]]
    assert set(clawed_back(friend)) == {"job4", "job3", "job2", "job1"}
    staff = LedgerEntry.objects.get(idempotency_key="royalty:job4:clawback")
    assert staff.description.startswith("Staff refund")
    assert LedgerEntry.objects.filter(entry_type=Type.REVOCATION).count() == 1
    assert Wallet.objects.get(user_id=owner.pk).purchased == 0
    assert royalty_of(friend) == 0
    assert_reconciled()


def test_a_clawback_key_taken_under_the_refund_reruns_it_instead_of_dropping_it(
    owner, friend, spent_business, stripe_post
):
    """Whatever the server reports for a clawback key another flow took (here: a duplicate key
    from a stale read), the refund runs again; it is not mistaken for an already-applied refund."""
    royalty_clawback(job_id="job4", reason="Staff refund")
    calls = []

    def stale_first(*, candidates):
        calls.append([spent.job_id for spent in candidates])
        if len(calls) == 1:  # as if read before the staff clawback committed
            accrual = LedgerEntry.objects.get(idempotency_key="royalty:job4:accrue")
            candidates.insert(0, royalties_module.SpentGeneration("job4", COST, accrual))

    with seams.at("refund.clawback_candidates", stale_first):
        assert stripe_post(refund_event(spent_business, [("re_1", 6900)])).status_code == 200

    assert calls == [["job3", "job2", "job1"]] * 2
    assert LedgerEntry.objects.get(entry_type=Type.REVOCATION).shortfall == 990
    assert clawed_back(friend) == ["job4", "job3", "job2", "job1"]
    assert Payment.objects.get(external_id=spent_business["id"]).status == "refunded"
    assert royalty_of(friend) == 0
    assert_reconciled()
