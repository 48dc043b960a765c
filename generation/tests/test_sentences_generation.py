"""System sentences about a job, stored in English and shown in the reader's language (#15.2).

The image-ready notice and the job's timeline line "Charged N credits." are written by a worker,
outside the reader's request: each stores its English msgid and parameters, and a Spanish reader
sees it in Spanish with the number formatted the Spanish way; an English reader sees English.
"""

from __future__ import annotations

from django.urls import reverse

from generation import services, tasks
from modelsnapper.testing.factories import AIModelFactory, fund
from modelsnapper.tests.test_i18n import shown_text
from social.models import Notification


def read_in(user, language: str) -> None:
    user.preferences.language = language
    user.save()


def ready_job(owner, *, cost: int = 2):
    model = AIModelFactory(slug="local-sentences", name="Local", provider="local", credit_cost=cost)
    job = services.job_submit(
        user=owner, ai_model=model, prompt="a quiet harbour", parameters=services.JobParameters()
    )
    tasks.run_job.delay(str(job.pk))
    return job


def test_a_spanish_reader_sees_the_image_ready_notice_in_spanish_and_an_english_one_in_english(client, owner):
    ready_job(fund(owner, 100))
    client.force_login(owner)

    english = shown_text(client.get(reverse("social:notifications")))
    assert "Your image from “a quiet harbour” is ready." in english

    read_in(owner, "es")
    spanish = shown_text(client.get(reverse("social:notifications")))
    assert "Tu imagen de «a quiet harbour» está lista." in spanish
    assert "is ready" not in spanish
    # The stored text stays English for e-mails, search and rows read without the catalog.
    assert Notification.objects.get(recipient=owner).text == "Your image from “a quiet harbour” is ready."


def test_a_spanish_reader_sees_the_charged_credits_timeline_line_in_spanish_with_spanish_digits(
    client, owner
):
    job = ready_job(fund(owner, 2000), cost=1200)
    client.force_login(owner)
    url = reverse("generation:job", args=[job.pk])

    english = shown_text(client.get(url))
    assert "Charged 1,200 credits." in english

    read_in(owner, "es")
    spanish = shown_text(client.get(url))
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
    client.force_login(owner)

    notices = shown_text(client.get(reverse("social:notifications")))
    timeline = shown_text(client.get(reverse("generation:job", args=[job.pk])))

    assert "Se ha cancelado tu imagen de «a quiet harbour». Se te han devuelto 2 créditos." in notices
    # The reason's label is marked with a context ("refund reason"), kept in the stored sentence.
    assert "Cancelada. Se devolvieron 2 créditos." in timeline
    assert "Refunded" not in timeline
    assert "refunded" not in notices
