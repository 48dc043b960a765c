"""System sentences about a job, stored in English and shown in the reader's language (#15.2).

The image-ready notice and the job's timeline line "Charged N credits." are written by a worker,
outside the reader's request: each stores its English msgid and parameters, and a Spanish reader
sees it in Spanish with the number formatted the Spanish way; an English reader sees English.
"""

from __future__ import annotations

from django.urls import reverse

from generation import services, tasks
from modelsnapper.testing.factories import AIModelFactory, fund
from modelsnapper.testing.i18n import page_for, pages_in_both, read_in
from social.models import Notification


def ready_job(owner, *, cost: int = 2):
    model = AIModelFactory(slug="local-sentences", name="Local", provider="local", credit_cost=cost)
    job = services.job_submit(
        user=owner, ai_model=model, prompt="a quiet harbour", parameters=services.JobParameters()
    )
    tasks.run_job.delay(str(job.pk))
    return job


def test_a_spanish_reader_sees_the_image_ready_notice_in_spanish_and_an_english_one_in_english(client, owner):
    ready_job(fund(owner, 100))

    english, spanish = pages_in_both(client, owner, reverse("social:notifications"))
    assert "Your image from “a quiet harbour” is ready." in english
    assert "Tu imagen de «a quiet harbour» está lista." in spanish
    assert "is ready" not in spanish
    # The stored text stays English for e-mails, search and rows read without the catalog.
    assert Notification.objects.get(recipient=owner).text == "Your image from “a quiet harbour” is ready."


def test_a_spanish_reader_sees_the_charged_credits_timeline_line_in_spanish_with_spanish_digits(
    client, owner
):
    job = ready_job(fund(owner, 2000), cost=1200)

    english, spanish = pages_in_both(client, owner, reverse("generation:job", args=[job.pk]))
    assert "Charged 1,200 credits." in english
    assert "Se cobraron 1\xa0200 créditos." in spanish
    assert "Charged" not in spanish


def test_a_spanish_reader_sees_a_canceled_jobs_refund_in_spanish_in_its_notice_and_timeline(
    client, owner, held_tasks
):
    model = AIModelFactory(slug="local-cancel", name="Local", provider="local", credit_cost=2)
    job = services.job_submit(
        user=fund(owner, 100), ai_model=model, prompt="a quiet harbour", parameters=services.JobParameters()
    )
    assert services.job_cancel(job=job)
    read_in(owner, "es")

    notices = page_for(client, owner, reverse("social:notifications"))
    timeline = page_for(client, owner, reverse("generation:job", args=[job.pk]))

    assert "Se ha cancelado tu imagen de «a quiet harbour». Se te han devuelto 2 créditos." in notices
    # The reason's label is marked with a context ("refund reason"), kept in the stored sentence.
    assert "Cancelada. Se devolvieron 2 créditos." in timeline
    assert "Refunded" not in timeline
    assert "refunded" not in notices
