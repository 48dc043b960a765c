"""Racing deliveries: threads finalise the same job at once; one outcome, one copy, one refund at most."""

from concurrent.futures import ThreadPoolExecutor

from billing.models import LedgerEntry
from generation import services
from generation.models import Image, Job
from generation.providers.replicate import result_from_prediction
from modelsnapper.testing.media import png_bytes
from modelsnapper.testing.threads import closes_connections


def run_together(fn, args) -> list:
    """Run ``fn(arg)`` for each arg on its own thread; a stuck thread fails the test instead of hanging it."""
    pool = ThreadPoolExecutor(len(args))
    try:
        futures = [pool.submit(closes_connections(fn), arg) for arg in args]
        return [future.result(timeout=60) for future in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _submitted(funded, replicate_model):
    job = services.job_submit(user=funded, ai_model=replicate_model, prompt="race")
    return Job.objects.select_related("ai_model", "source_image", "personal_model").get(pk=job.pk)


def test_eight_concurrent_completions_store_each_output_once(funded, replicate_model, replicate_stub):
    job = _submitted(funded, replicate_model)
    urls = [replicate_stub.add_file(f"race-{i}.png", png_bytes(colour=(i, 9, 9))) for i in range(2)]
    result = result_from_prediction(replicate_stub.finish(job.provider_job_id, output=urls))

    outcomes = run_together(lambda _: services.apply_result(job, result), list(range(8)))

    assert outcomes.count("completed") == 1
    assert Image.objects.filter(job_id=job.pk).count() == 2
    assert Job.objects.get(pk=job.pk).status == Job.Status.COMPLETED
    assert not LedgerEntry.objects.filter(idempotency_key=f"gen:{job.pk}:refund").exists()


def test_a_failure_racing_a_success_ends_one_way_only(funded, replicate_model, replicate_stub):
    for _ in range(3):
        job = _submitted(funded, replicate_model)
        url = replicate_stub.add_file(f"{job.pk}.png", png_bytes())
        success = result_from_prediction(
            dict(replicate_stub.predictions[job.provider_job_id], status="succeeded", output=[url])
        )
        failure = result_from_prediction(
            dict(replicate_stub.predictions[job.provider_job_id], status="failed")
        )

        run_together(lambda r, job=job: services.apply_result(job, r), [success, failure, success, failure])

        job.refresh_from_db()
        refunded = LedgerEntry.objects.filter(idempotency_key=f"gen:{job.pk}:refund").count()
        images = Image.objects.filter(job_id=job.pk).count()
        assert (job.status, refunded, images) in [(Job.Status.COMPLETED, 0, 1), (Job.Status.FAILED, 1, 0)]
