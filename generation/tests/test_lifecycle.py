"""The local provider's lifecycle, claims and recovery: every job ends completed or refunded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from generation import ending, running, services, tasks
from generation.models import Image, Job
from generation.providers.base import SUCCEEDED, Output, Result
from modelsnapper.testing import faults
from modelsnapper.testing.media import png_bytes
from modelsnapper.testing.money import balance, ledger_keys


def submit(user, model, **params):
    return services.job_submit(
        user=user, ai_model=model, prompt="a quiet harbour", parameters=services.JobParameters(**params)
    )


@pytest.mark.parametrize(
    "behaviour, status, reason",
    [
        ("fail", Job.Status.FAILED, "provider_failed"),
        ("empty", Job.Status.FAILED, "no_output"),
        ("cancel", Job.Status.CANCELED, "provider_canceled"),
    ],
)
def test_local_failures_refund_once(funded, local_model, behaviour, status, reason):
    local_model.default_parameters = {"local_behaviour": behaviour}
    local_model.save()
    before = balance(funded)

    job = submit(funded, local_model)
    tasks.run_job.delay(str(job.pk))  # a second delivery changes nothing

    job.refresh_from_db()
    assert job.status == status and job.refund_reason == reason
    assert balance(funded) == before
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]


def test_a_hanging_job_is_expired_by_the_sweeper_once(funded, local_model):
    local_model.default_parameters = {"local_behaviour": "hang"}
    local_model.save()
    before = balance(funded)
    job = submit(funded, local_model)
    assert Job.objects.get(pk=job.pk).status == Job.Status.PROCESSING

    assert services.sweep_stalled_jobs() == []  # not yet
    later = timezone.now() + timedelta(minutes=16)
    assert [j.pk for j in services.sweep_stalled_jobs(now=later)] == [job.pk]
    assert services.sweep_stalled_jobs(now=later) == []

    job.refresh_from_db()
    assert job.status == Job.Status.EXPIRED and balance(funded) == before
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]


def test_the_deadline_is_fifteen_minutes_for_images(funded, local_model):
    job = submit(funded, local_model)
    assert timedelta(minutes=14, seconds=59) < job.deadline_at - job.submitted_at <= timedelta(minutes=15)


def test_a_claim_whose_worker_died_is_taken_over_after_the_lease(funded, local_model, held_tasks):
    job = submit(funded, local_model)
    # A worker claimed it and was killed before the provider answered.
    Job.objects.filter(pk=job.pk).update(status="processing", claim_token="dead", claimed_at=timezone.now())

    assert services.job_run(job.pk) == "not-claimed"  # its lease is still running
    Job.objects.filter(pk=job.pk).update(claimed_at=timezone.now() - timedelta(minutes=3))
    assert services.job_run(job.pk) == "completed"

    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED and job.claim_token != "dead"
    assert "restarted" in [event.name for event in job.events.all()]
    assert ledger_keys(job) == [f"gen:{job.pk}:charge"]


def event_names(job):
    return [event.name for event in job.events.all()]


def test_a_claim_whose_started_line_cannot_be_written_leaves_the_job_pending_for_the_next_worker(
    funded, local_model, held_tasks
):
    """A worker that dies between the claim and its timeline line must not leave a processing
    job without "started": the claim and its line are one write."""
    job = submit(funded, local_model)

    with faults.failing("insert", times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        running.job_claim(job.pk)

    job.refresh_from_db()
    assert (job.status, job.claim_token) == (Job.Status.PENDING, "")
    assert event_names(job) == ["submitted"]
    assert services.job_run(job.pk) == "completed"
    assert event_names(job).count("started") == 1


def test_a_takeover_whose_restarted_line_cannot_be_written_leaves_the_dead_workers_claim(
    funded, local_model, held_tasks
):
    job = submit(funded, local_model)
    lapsed = timezone.now() - timedelta(minutes=3)
    Job.objects.filter(pk=job.pk).update(status="processing", claim_token="dead", claimed_at=lapsed)

    with faults.failing("insert", times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        running.job_claim(job.pk)

    assert Job.objects.get(pk=job.pk).claim_token == "dead"
    assert "restarted" not in event_names(job)
    assert running.job_claim(job.pk) is not None
    assert event_names(job).count("restarted") == 1


def test_the_poller_resends_jobs_whose_task_was_lost(funded, local_model, monkeypatch):
    monkeypatch.setattr(ending, "enqueue", lambda *args: None)  # the broker lost it
    job = submit(funded, local_model)
    monkeypatch.undo()
    assert services.poll_providers()["resent"] == 0
    Job.objects.filter(pk=job.pk).update(submitted_at=timezone.now() - timedelta(minutes=3))

    assert services.poll_providers()["resent"] == 1

    assert Job.objects.get(pk=job.pk).status == Job.Status.COMPLETED


def test_ending_waits_while_another_worker_stores_the_outputs(funded, local_model):
    local_model.default_parameters = {"local_behaviour": "hang"}
    local_model.save()
    job = submit(funded, local_model)
    Job.objects.filter(pk=job.pk).update(finalise_token="busy", finalise_started_at=timezone.now())

    assert services.job_cancel(job=job) is False
    assert Job.objects.get(pk=job.pk).status == Job.Status.PROCESSING
    # ...but a finaliser that vanished does not block the sweeper forever.
    Job.objects.filter(pk=job.pk).update(finalise_started_at=timezone.now() - timedelta(minutes=5))
    assert services.job_cancel(job=job) is True


def test_a_second_finaliser_stores_nothing(funded, local_model):
    local_model.default_parameters = {"local_behaviour": "hang"}
    local_model.save()
    job = Job.objects.select_related("ai_model").get(pk=submit(funded, local_model).pk)
    result = Result(SUCCEEDED, job.provider_job_id, outputs=[Output(data=png_bytes())])

    assert services.job_finalise(job, result) == "completed"
    assert services.job_finalise(job, result) == "noop"
    assert Image.objects.filter(job=job).count() == 1


def test_the_unique_index_keeps_one_copy_even_if_two_finalisers_raced(funded, local_model):
    job = submit(funded, local_model)
    job = Job.objects.select_related("source_image").get(pk=job.pk)
    assert Image.objects.filter(job=job).count() == 1

    again = running.outputs_store(job, [png_bytes()], Image.Type.GENERATED)

    assert again == [] and Image.objects.filter(job=job).count() == 1


def test_queue_position_counts_older_pending_jobs(funded, local_model, held_tasks):
    from generation.selectors import queue_position

    first = submit(funded, local_model)
    second = submit(funded, local_model)

    assert (queue_position(first), queue_position(second)) == (1, 2)


def test_the_pending_job_page_polls_and_shows_its_place_in_the_queue(client, funded, local_model, held_tasks):
    job = submit(funded, local_model)
    client.force_login(funded)

    fragment = client.get(f"/generation/jobs/{job.pk}/status/").content.decode()

    assert 'hx-trigger="every 2s"' in fragment and "Position in queue: 1" in fragment
    assert "Cancel" in fragment


def test_cancel_from_the_page_swaps_in_the_refunded_status(client, funded, local_model, held_tasks):
    job = submit(funded, local_model)
    client.force_login(funded)

    fragment = client.post(f"/generation/jobs/{job.pk}/cancel/", HTTP_HX_REQUEST="true").content.decode()

    assert 'data-status="canceled"' in fragment and "Refunded" in fragment
    # No more polling and no Cancel button; an ended job offers "Delete generation" instead.
    assert "hx-trigger" not in fragment and f"/generation/jobs/{job.pk}/cancel/" not in fragment
