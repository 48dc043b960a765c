"""What the image service says about a running job reaches its page as our words, in the reader's
language (issue #15.2 follow-up): a status Replicate reports is shown through a translated label,
and one nobody has translated yet (a status the service adds later) as a fixed sentence, never as
the provider's raw word.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from generation import services
from generation.models import Job, JobEvent
from generation.providers.replicate import result_from_prediction
from modelsnapper.testing.factories import JobFactory
from modelsnapper.testing.i18n import pages_in_both


def reported(job: Job, status: str) -> None:
    """Replicate reports ``status`` for the job's prediction (a webhook or a poll)."""
    services.apply_result(job, result_from_prediction({"id": "p-1", "status": status, "version": "v1"}))


@pytest.mark.parametrize(
    ("status", "english", "spanish"),
    [
        ("starting", "The model is starting.", "Estado del modelo: arrancando."),
        ("queued", "The model is queued.", "Estado del modelo: en cola."),
        (
            "booting",
            "The image service reported a new status.",
            "El servicio de imágenes informó de un nuevo estado.",
        ),
    ],
)
def test_a_status_the_image_service_reports_is_shown_in_the_readers_words_never_its_raw_word(
    client, owner, local_model, status, english, spanish
):
    job = JobFactory(user=owner, ai_model=local_model, status=Job.Status.PROCESSING)
    reported(job, status)
    url = reverse("generation:job", args=[job.pk])

    english_page, page = pages_in_both(client, owner, url)
    assert english in english_page
    assert spanish in page
    assert f"<strong>Proveedor</strong> {spanish}" in page
    if status != "starting":  # "arrancando" is the Spanish; the raw word must not be shown
        assert status not in page.split("gen-timeline", 1)[1]
    assert JobEvent.objects.filter(job_id=job.pk, name="provider").count() == 1
