"""The per-user cap on jobs in flight holds under concurrent submissions (issue 10, item 2).

The cap is claimed in the same write as the job (a conditional update of the user's
in-flight counter), so threads racing through /generate/ cannot all pass a count.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from billing.models import LedgerEntry
from generation import services
from generation.models import Job
from modelsnapper.testing.money import balance
from modelsnapper.testing.threads import closes_connections

CAP = 4
THREADS = 20


def _hanging(model):
    model.default_parameters = {"local_behaviour": "hang"}
    model.save()
    return model


def _post_generate(user) -> int:
    client = Client()
    client.force_login(user)
    response = client.post(
        "/generate/",
        {
            "prompt": "a fox",
            "model": "local-fast",
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "1",
        },
    )
    return response.status_code


def _slots(user) -> int:
    from generation.models import GenerationSlots

    return GenerationSlots.objects.get(user_id=user.pk).in_flight


def _in_flight(user) -> int:
    return Job.objects.filter(user_id=user.pk, status__in=Job.ACTIVE).count()


def test_twenty_concurrent_submissions_put_at_most_the_cap_in_flight_and_refuse_the_rest_free(
    funded, local_model, settings, held_tasks
):
    # The queued jobs stay pending (in flight); no eager task runs on the threads, whose
    # join guard is a process-wide flag in Celery's eager mode.
    settings.GENERATION_MAX_IN_FLIGHT = CAP
    settings.GENERATION_RATE_LIMIT = 1000
    before = balance(funded)
    pool = ThreadPoolExecutor(THREADS)
    try:
        futures = [pool.submit(closes_connections(_post_generate), funded) for _ in range(THREADS)]
        statuses = [future.result(timeout=120) for future in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)

    accepted = statuses.count(302)
    assert accepted == CAP, statuses
    assert statuses.count(429) == THREADS - CAP, statuses
    assert _in_flight(funded) == CAP
    charges = LedgerEntry.objects.filter(user_id=funded.pk, entry_type=LedgerEntry.Type.USAGE).count()
    assert charges == CAP
    assert balance(funded) == before - CAP * local_model.credit_cost
    assert len(held_tasks) == CAP  # only the accepted jobs were queued


def test_a_slot_is_given_back_once_when_a_job_ends_and_the_next_submission_is_accepted(
    funded, local_model, settings
):
    settings.GENERATION_MAX_IN_FLIGHT = 1
    _hanging(local_model)
    first = services.job_submit(user=funded, ai_model=local_model, prompt="one")
    try:
        services.job_submit(user=funded, ai_model=local_model, prompt="two")
        raise AssertionError("a second job in flight was accepted")
    except services.RateLimited as exc:
        assert "1 generation" in str(exc)

    assert services.job_cancel(job=first) is True
    assert services.job_cancel(job=first) is False  # ending twice gives back nothing more
    assert _slots(funded) == 0

    second = services.job_submit(user=funded, ai_model=local_model, prompt="two")
    assert _slots(funded) == 1
    assert Job.objects.get(pk=second.pk).status == Job.Status.PROCESSING


def test_the_sweeper_gives_back_the_slots_of_the_jobs_it_expires(funded, local_model, settings):
    settings.GENERATION_MAX_IN_FLIGHT = 2
    _hanging(local_model)
    services.job_submit(user=funded, ai_model=local_model, prompt="one")
    services.job_submit(user=funded, ai_model=local_model, prompt="two")

    expired = services.sweep_stalled_jobs(now=timezone.now() + timedelta(minutes=16))

    assert len(expired) == 2
    assert _slots(funded) == 0
    services.job_submit(user=funded, ai_model=local_model, prompt="three")
    assert _in_flight(funded) == 1


def test_a_completed_job_gives_its_slot_back(funded, local_model, settings):
    settings.GENERATION_MAX_IN_FLIGHT = 1
    job = services.job_submit(user=funded, ai_model=local_model, prompt="done")  # completes at once

    assert Job.objects.get(pk=job.pk).status == Job.Status.COMPLETED
    assert _slots(funded) == 0
    services.job_submit(user=funded, ai_model=local_model, prompt="again")
    assert Job.objects.filter(user_id=funded.pk).count() == 2


def test_a_refused_charge_gives_the_claimed_slot_back(owner, local_model, settings):
    from billing.exceptions import InsufficientCredits
    from billing.services import wallet_for

    settings.GENERATION_MAX_IN_FLIGHT = 1
    wallet_for(owner)  # 10 credits
    local_model.credit_cost = 11
    local_model.save()
    try:
        services.job_submit(user=owner, ai_model=local_model, prompt="too dear")
        raise AssertionError("the charge went through")
    except InsufficientCredits:
        pass

    assert not Job.objects.exists()
    from generation.models import GenerationSlots

    slots = GenerationSlots.objects.filter(user_id=owner.pk).first()
    assert slots is None or slots.in_flight == 0


def test_the_sweeper_corrects_a_counter_that_drifted_from_the_jobs_in_flight(funded, local_model, settings):
    from generation.models import GenerationSlots

    settings.GENERATION_MAX_IN_FLIGHT = 2
    _hanging(local_model)
    services.job_submit(user=funded, ai_model=local_model, prompt="one")
    GenerationSlots.objects.filter(user_id=funded.pk).update(in_flight=2)  # one slot leaked

    services.sweep_stalled_jobs()

    assert _slots(funded) == _in_flight(funded) == 1
    services.job_submit(user=funded, ai_model=local_model, prompt="two")  # the leaked slot is usable again
    assert _in_flight(funded) == 2
