"""The Replicate path end to end: a local stub API, signed webhooks, the poller and the sweeper."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from generation import services, tasks
from generation.models import Image, Job, WebhookEvent
from modelsnapper.testing.media import png_bytes
from modelsnapper.testing.money import balance, ledger_keys

WEBHOOK = "/generation/webhooks/replicate/"


@pytest.fixture
def submitted(client, funded, replicate_model, replicate_stub):
    """A job the stub has accepted (status "starting"), with two outputs ready on the delivery host."""
    client.force_login(funded)
    response = client.post(
        "/generate/",
        {
            "prompt": "a lighthouse at dusk",
            "model": "rep-fast",
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": "2",
        },
    )
    assert response.status_code == 302
    job = Job.objects.get(user=funded)
    urls = [
        replicate_stub.add_file(f"{job.provider_job_id}-{i}.png", png_bytes(colour=(i * 90, 20, 20)))
        for i in range(2)
    ]
    job.urls = urls
    return job


def completed_payload(stub, job, output):
    return stub.finish(job.provider_job_id, output=output)


def test_submit_creates_one_prediction_with_our_webhook(submitted, replicate_stub, settings):
    prediction = replicate_stub.predictions[submitted.provider_job_id]
    assert replicate_stub.creates() == 1
    assert prediction["webhook"] == settings.SITE_URL + WEBHOOK
    assert prediction["input"]["prompt"] == "a lighthouse at dusk"
    assert prediction["input"]["num_outputs"] == 2 and prediction["input"]["seed"] == submitted.seed
    assert submitted.status == Job.Status.PROCESSING and submitted.provider == "replicate"


def test_completed_webhook_five_times_finalises_once_with_one_copy_of_each_output(
    submitted, replicate_stub, signed_webhook, funded
):
    payload = completed_payload(replicate_stub, submitted, submitted.urls)
    after_charge = balance(funded)

    responses = [signed_webhook(payload, webhook_id="msg_done") for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert [r.json()["duplicate"] for r in responses] == [False, True, True, True, True]
    job = Job.objects.get(pk=submitted.pk)
    assert job.status == Job.Status.COMPLETED and job.credits_refunded == 0
    assert Image.objects.filter(job=job).count() == 2
    assert sorted(replicate_stub.fetched) == sorted(submitted.urls)
    assert WebhookEvent.objects.filter(webhook_id="msg_done").count() == 1
    assert [e.name for e in job.events.all()].count("completed") == 1
    assert ledger_keys(job) == [f"gen:{job.pk}:charge"]
    assert balance(funded) == after_charge
    assert job.provider_stats.predict_seconds == 1.25


def test_distinct_completion_webhooks_still_store_each_output_once(submitted, replicate_stub, signed_webhook):
    payload = completed_payload(replicate_stub, submitted, submitted.urls)
    for n in range(3):
        assert signed_webhook(payload, webhook_id=f"msg_{n}").status_code == 200

    assert Image.objects.filter(job_id=submitted.pk).count() == 2
    assert len(replicate_stub.fetched) == 2


@pytest.mark.parametrize(
    "status, output, reason, final",
    [
        ("failed", None, "provider_failed", Job.Status.FAILED),
        ("canceled", None, "provider_canceled", Job.Status.CANCELED),
        ("aborted", None, "provider_canceled", Job.Status.CANCELED),
        ("succeeded", None, "no_output", Job.Status.FAILED),
        ("succeeded", [], "no_output", Job.Status.FAILED),
    ],
)
def test_unsuccessful_endings_refund_exactly_once(
    submitted, replicate_stub, signed_webhook, funded, status, output, reason, final
):
    before = balance(funded)
    payload = replicate_stub.finish(submitted.provider_job_id, status=status, output=output, error="CUDA OOM")

    signed_webhook(payload, webhook_id="msg_a")
    signed_webhook(payload, webhook_id="msg_a")
    signed_webhook(payload, webhook_id="msg_b")
    services.poll_providers()
    services.sweep_stalled_jobs(now=timezone.now() + timedelta(hours=1))

    job = Job.objects.get(pk=submitted.pk)
    assert job.status == final and job.refund_reason == reason
    assert job.credits_refunded == job.credits_charged == 4  # two images at 2 credits each
    assert balance(funded) == before + 4
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
    assert "CUDA" not in job.error and "refunded" in job.error  # user-safe
    assert job.error_detail  # the provider's words are kept for staff


def test_when_the_webhook_never_arrives_the_poller_finalises(submitted, replicate_stub, settings):
    replicate_stub.finish(submitted.provider_job_id, output=submitted.urls)
    assert services.poll_providers()["polled"] == 0  # news is fresh: nobody is asked yet

    Job.objects.filter(pk=submitted.pk).update(last_provider_update_at=timezone.now() - timedelta(minutes=3))
    tasks.poll_providers.delay()

    job = Job.objects.get(pk=submitted.pk)
    assert job.status == Job.Status.COMPLETED
    assert Image.objects.filter(job=job).count() == 2
    assert ("GET", f"/v1/predictions/{submitted.provider_job_id}") in replicate_stub.calls


def test_a_running_prediction_keeps_its_job_processing_when_polled(submitted, replicate_stub):
    replicate_stub.predictions[submitted.provider_job_id]["status"] = "processing"
    Job.objects.filter(pk=submitted.pk).update(last_provider_update_at=timezone.now() - timedelta(minutes=3))

    services.poll_providers()

    job = Job.objects.get(pk=submitted.pk)
    assert job.status == Job.Status.PROCESSING
    assert job.last_provider_update_at > timezone.now() - timedelta(seconds=30)


def test_past_the_deadline_the_sweeper_expires_and_refunds_once(submitted, replicate_stub, funded):
    before = balance(funded)
    Job.objects.filter(pk=submitted.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))

    call_command("sweep_stalled_jobs", "--dry-run")
    assert Job.objects.get(pk=submitted.pk).status == Job.Status.PROCESSING
    call_command("sweep_stalled_jobs")
    call_command("sweep_stalled_jobs")
    tasks.sweep_stalled_jobs.delay()

    job = Job.objects.get(pk=submitted.pk)
    assert job.status == Job.Status.EXPIRED and job.expired_at and job.refund_reason == "expired"
    assert balance(funded) == before + 4
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
    assert ("POST", f"/v1/predictions/{job.provider_job_id}/cancel") in replicate_stub.calls
    # A late completion after expiry changes nothing.
    payload = replicate_stub.finish(job.provider_job_id, output=submitted.urls)
    services.apply_result(
        job, __import__("generation.providers.replicate", fromlist=["x"]).result_from_prediction(payload)
    )
    assert Image.objects.filter(job=job).count() == 0 and balance(funded) == before + 4


def test_the_same_task_delivered_twice_makes_one_provider_call_and_one_charge(
    funded, replicate_model, replicate_stub, held_tasks
):
    # The broker holds the submitted task; we deliver it by hand, twice.
    job = services.job_submit(user=funded, ai_model=replicate_model, prompt="twice")

    first = tasks.run_job.apply(args=[str(job.pk)]).get()
    second = tasks.run_job.apply(args=[str(job.pk)]).get()

    assert (first, second) == ("running", "not-claimed")
    assert replicate_stub.creates() == 1
    job.refresh_from_db()
    assert job.provider_calls == 1
    assert ledger_keys(job) == [f"gen:{job.pk}:charge"]


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://metadata.replicate.delivery/x.png",  # an allowed name that resolves to link-local
        "https://localhost/x.png",
        "file:///etc/passwd",
        "http://replicate.delivery/files/x.png",
        "https://evil.example.com/x.png",
        "https://[::1]/x.png",
    ],
)
def test_unsafe_output_urls_are_never_fetched_and_the_job_is_refunded(
    submitted, replicate_stub, signed_webhook, funded, url
):
    before = balance(funded)
    payload = replicate_stub.finish(submitted.provider_job_id, output=[submitted.urls[0], url])

    signed_webhook(payload, webhook_id="msg_unsafe")

    job = Job.objects.get(pk=submitted.pk)
    assert replicate_stub.fetched == []  # not even the safe one: the whole output is refused first
    assert job.status == Job.Status.FAILED and job.refund_reason == "unsafe_output"
    assert balance(funded) == before + 4
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
    assert not Image.objects.filter(job=job).exists()


def test_an_output_that_is_not_an_image_fails_and_refunds(submitted, replicate_stub, signed_webhook, funded):
    bad = replicate_stub.add_file("bad.png", b"<html>not an image</html>")
    payload = replicate_stub.finish(submitted.provider_job_id, output=[bad])

    signed_webhook(payload, webhook_id="msg_bad")

    job = Job.objects.get(pk=submitted.pk)
    assert job.status == Job.Status.FAILED and job.refund_reason == "bad_output"
    assert job.credits_refunded == 4


def test_an_output_over_the_size_cap_is_not_stored(submitted, replicate_stub, signed_webhook, settings):
    settings.GENERATION_OUTPUT_MAX_BYTES = 50
    payload = replicate_stub.finish(submitted.provider_job_id, output=submitted.urls[:1])

    signed_webhook(payload, webhook_id="msg_big")

    job = Job.objects.get(pk=submitted.pk)
    # The download stopped at the cap: not stored, the job waits for the poller / sweeper.
    assert job.status == Job.Status.PROCESSING and not Image.objects.filter(job=job).exists()
    assert job.finalise_token == ""
    assert [e.name for e in job.events.all()][-1] == "retrying"


def test_cancel_of_a_running_job_refunds_and_cancels_at_the_provider(
    client, submitted, replicate_stub, funded
):
    before = balance(funded)

    client.post(f"/generation/jobs/{submitted.pk}/cancel/")

    job = Job.objects.get(pk=submitted.pk)
    assert job.status == Job.Status.CANCELED and balance(funded) == before + 4
    assert ("POST", f"/v1/predictions/{job.provider_job_id}/cancel") in replicate_stub.calls


# --- the webhook's signature ---------------------------------------------------------


def test_a_bad_signature_is_refused_and_changes_nothing(submitted, replicate_stub, signed_webhook):
    payload = replicate_stub.finish(submitted.provider_job_id, output=submitted.urls)

    wrong_secret = signed_webhook(payload, secret="whsec_" + "d3Jvbmc=")
    stale = signed_webhook(payload, timestamp=timezone.now().timestamp() - 301)
    tampered = signed_webhook({**payload, "status": "failed"}, body=__import__("json").dumps(payload))

    assert [r.status_code for r in (wrong_secret, stale, tampered)] == [400, 400, 400]
    assert not WebhookEvent.objects.exists()
    assert Job.objects.get(pk=submitted.pk).status == Job.Status.PROCESSING


def test_the_public_development_secret_does_not_verify_outside_debug(
    submitted, replicate_stub, signed_webhook
):
    payload = replicate_stub.finish(submitted.provider_job_id, output=submitted.urls)

    response = signed_webhook(payload, secret="whsec_bG9jYWwtZGV2ZWxvcG1lbnQtb25seQ==")

    assert response.status_code == 400 and not WebhookEvent.objects.exists()


def test_missing_headers_and_garbage_are_4xx(client, db):
    assert client.post(WEBHOOK, data="{}", content_type="application/json").status_code == 400
    assert client.get(WEBHOOK).status_code == 405


def test_one_valid_signature_among_several_is_enough(submitted, replicate_stub, signed_webhook):
    payload = replicate_stub.finish(submitted.provider_job_id, output=submitted.urls)

    response = signed_webhook(payload, extra_signatures=("v1,bm9wZQ==", "v2,whatever"))

    assert response.status_code == 200
    assert Job.objects.get(pk=submitted.pk).status == Job.Status.COMPLETED


def test_the_webhook_path_answers_without_a_redirect(client, db):
    response = client.post(WEBHOOK, data="{}", content_type="application/json")
    assert response.status_code == 400 and "Location" not in response


def test_a_start_webhook_records_news_without_ending_the_job(submitted, replicate_stub, signed_webhook):
    Job.objects.filter(pk=submitted.pk).update(last_provider_update_at=timezone.now() - timedelta(minutes=5))
    payload = dict(replicate_stub.predictions[submitted.provider_job_id], status="processing")

    assert signed_webhook(payload, webhook_id="msg_start").status_code == 200

    job = Job.objects.get(pk=submitted.pk)
    assert job.status == Job.Status.PROCESSING
    assert job.last_provider_update_at > timezone.now() - timedelta(seconds=30)


def test_a_webhook_for_an_unknown_prediction_is_acknowledged_and_ignored(signed_webhook, db):
    response = signed_webhook({"id": "nobody", "status": "succeeded", "output": []}, webhook_id="msg_x")
    assert response.status_code == 200
    assert WebhookEvent.objects.get(webhook_id="msg_x").status == WebhookEvent.Status.IGNORED


def test_an_edit_sends_the_source_image_and_a_personal_model_its_version(
    client, funded, replicate_stub, signed_webhook
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from generation.models import Kind, PersonalModel
    from modelsnapper.testing.factories import AIModelFactory

    AIModelFactory(
        slug="rep-edit",
        provider="replicate",
        kind=Kind.IMAGE_EDIT,
        provider_model="qwen/qwen-image-edit",
        default_parameters={"image_input_key": "image", "cost_cents": 3},
    )
    AIModelFactory(slug="my-model", provider="replicate", kind=Kind.PERSONAL, provider_model="")
    mine = PersonalModel.objects.create(
        user=funded, name="Me", name_key="me", slot=1, status="ready", version="modelsnapper/ms-1:v123"
    )
    client.force_login(funded)
    png = SimpleUploadedFile("in.png", png_bytes((20, 20)), content_type="image/png")

    client.post("/generation/edit/", {"upload": png, "prompt": "make it blue", "model": "rep-edit"})
    client.post(
        "/generate/",
        {
            "prompt": "me, skiing",
            "model": f"my-model:{mine.pk}",
            "aspect_ratio": "1:1",
            "quality": "hd",
            "num_outputs": "1",
        },
    )

    edit, personal = (replicate_stub.predictions[f"pred{n}"] for n in (1, 2))
    assert edit["input"]["image"].startswith("data:image/png;base64,iVBOR")
    assert "cost_cents" not in edit["input"] and "image_input_key" not in edit["input"]
    assert personal["version"] == "v123" and personal["input"]["prompt"] == "me, skiing"
    assert ("POST", "/v1/models/qwen/qwen-image-edit/predictions") in replicate_stub.calls
    assert ("POST", "/v1/predictions") in replicate_stub.calls


def test_an_unreachable_provider_fails_the_job_and_refunds(funded, replicate_model, settings):
    settings.REPLICATE_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.REPLICATE_API_TOKEN = "r8_test"
    before = balance(funded)

    job = services.job_submit(user=funded, ai_model=replicate_model, prompt="offline")

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.refund_reason == "provider_error"
    assert balance(funded) == before and "could not be reached" in job.error
    assert job.provider_calls == 4  # the first try and three retries
    assert [e.name for e in job.events.all()].count("retrying") == 3
    assert ledger_keys(job) == [f"gen:{job.pk}:charge", f"gen:{job.pk}:refund"]
