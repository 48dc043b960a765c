"""Deleting my images and generations: confirmation, gone everywhere at once, purge after the grace period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from billing.models import LedgerEntry
from generation.gallery import services
from generation.models import Image, Job
from modelsnapper.testing.money import balance
from modelsnapper.variants import VariantSet
from social.services import post_publish_generation

from ..helpers import outputs


def image_url(image, name="generation:image"):
    return reverse(name, args=[image.pk])


def test_deleting_an_image_asks_first_then_hides_it_everywhere_at_once(client, funded, make_job):
    job = make_job(funded, outputs=2)
    gone, kept = outputs(job)
    Image.objects.filter(pk=gone.pk).update(is_public=True)
    client.force_login(funded)
    assert f'href="{image_url(gone, "generation:image_delete")}"' in client.get(image_url(gone)).text

    confirm = client.get(image_url(gone, "generation:image_delete"))
    assert confirm.status_code == 200 and "Delete this image?" in confirm.text
    assert Image.objects.get(pk=gone.pk).deleted_at is None  # asking changes nothing

    response = client.post(image_url(gone, "generation:image_delete"))

    assert response.status_code == 302 and response.url == reverse("generation:history")
    assert client.get(image_url(gone)).status_code == 404
    assert client.get(image_url(gone, "generation:image_file")).status_code == 404
    client.logout()  # it was public: nobody else sees it either
    assert client.get(image_url(gone, "generation:image_file")).status_code == 404
    client.force_login(funded)
    history = client.get(reverse("generation:history"))
    assert [i.pk for i in history.context["page"].images] == [kept.pk]
    assert image_url(gone) not in history.text
    job_page = client.get(job.get_absolute_url())
    assert image_url(gone) not in job_page.text and image_url(kept) in job_page.text
    # Soft: the document and the file stay until the grace period ends.
    stored = Image.objects.get(pk=gone.pk)
    assert stored.deleted_at is not None and not stored.is_public and default_storage.exists(stored.file.name)


def test_a_strangers_image_cannot_be_deleted_and_looks_missing(client, funded, stranger, make_job):
    image = outputs(make_job(funded))[0]
    client.force_login(stranger)

    assert client.get(image_url(image, "generation:image_delete")).status_code == 404
    assert client.post(image_url(image, "generation:image_delete")).status_code == 404
    assert client.post("/generation/images/not-an-id/delete/").status_code == 404
    assert services.image_delete(user=stranger, image=image) is False
    assert Image.objects.get(pk=image.pk).deleted_at is None


def test_deleting_twice_is_a_no_op_and_never_charges_or_refunds(client, funded, make_job):
    image = outputs(make_job(funded, credits_charged=2))[0]
    before_balance, before_entries = balance(funded), LedgerEntry.objects.count()

    assert services.image_delete(user=funded, image=image) is True
    first = Image.objects.get(pk=image.pk).deleted_at
    assert services.image_delete(user=funded, image=image) is False

    assert Image.objects.get(pk=image.pk).deleted_at == first
    assert balance(funded) == before_balance and LedgerEntry.objects.count() == before_entries
    client.force_login(funded)
    assert client.post(image_url(image, "generation:image_delete")).status_code == 404


def test_a_post_made_from_a_deleted_image_says_image_removed_and_its_copy_is_gone(
    client, funded, friend, make_job
):
    image = outputs(make_job(funded))[0]
    post, _ = post_publish_generation(author=funded, image=image, caption="My lighthouse")
    copy = post.media.name
    assert default_storage.exists(copy)

    services.image_delete(user=funded, image=image)

    post.refresh_from_db()
    assert not post.media and post.source_image == str(image.pk)  # the post stays, without its picture
    assert Image.objects.get(pk=image.pk).purge_names[0] == copy  # then its variants
    client.force_login(friend)
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200 and "Image removed" in page.text and "My lighthouse" in page.text
    assert client.get(reverse("social:post_media", args=[post.pk])).status_code == 404


def test_deleting_a_generation_hides_it_and_all_its_images(client, funded, make_job):
    job = make_job(funded, outputs=3)
    other = make_job(funded)
    client.force_login(funded)
    assert (
        f'href="{reverse("generation:job_delete", args=[job.pk])}"' in client.get(job.get_absolute_url()).text
    )

    assert "Delete this generation" in client.get(reverse("generation:job_delete", args=[job.pk])).text
    response = client.post(reverse("generation:job_delete", args=[job.pk]))

    assert response.status_code == 302
    assert client.get(job.get_absolute_url()).status_code == 404
    assert all(image.deleted_at for image in outputs(job))
    assert [j.pk for j in client.get(reverse("generation:history")).context["page"].jobs] == [other.pk]
    assert Job.objects.filter(pk=job.pk).exists()  # soft: the record stays


def test_a_running_generation_cannot_be_deleted(client, funded, make_job):
    job = make_job(funded, outputs=0, status=Job.Status.PROCESSING)
    client.force_login(funded)

    assert reverse("generation:job_delete", args=[job.pk]) not in client.get(job.get_absolute_url()).text
    page = client.get(reverse("generation:job_delete", args=[job.pk]))
    response = client.post(reverse("generation:job_delete", args=[job.pk]), follow=True)

    assert "still running" in page.text and "still running" in response.text
    assert Job.objects.get(pk=job.pk).deleted_at is None


def test_purge_waits_for_the_grace_period_then_removes_the_original_its_variants_and_post_copies(
    settings, funded, make_job
):
    settings.GENERATION_DELETE_GRACE_DAYS = 7
    image = outputs(make_job(funded, size=(600, 400), variants=True))[0]
    post, _ = post_publish_generation(author=funded, image=image)
    post.refresh_from_db()
    image_variants = [name for _, name in VariantSet.from_data(image.variants).files()]
    post_files = [post.media.name] + [name for _, name in VariantSet.from_data(post.variants).files()]
    assert image_variants and len(post_files) == len(image_variants) + 1
    services.image_delete(user=funded, image=image)
    image.refresh_from_db()
    names = services.image_stored_names(image)
    assert sorted(names) == sorted([image.file.name, *image_variants, *post_files])
    assert all(default_storage.exists(name) for name in names)

    assert services.images_purge_due(now=timezone.now() + timedelta(days=6)) == []
    assert all(default_storage.exists(name) for name in names)

    purged = services.images_purge_due(now=timezone.now() + timedelta(days=8))

    assert [i.pk for i in purged] == [image.pk]
    assert not any(default_storage.exists(name) for name in names)
    assert Image.objects.get(pk=image.pk).purged_at is not None
    assert services.images_purge_due(now=timezone.now() + timedelta(days=9)) == []  # done once


def test_purge_keeps_variants_another_of_my_images_still_shows(settings, funded, make_job):
    settings.GENERATION_DELETE_GRACE_DAYS = 0
    # The same picture stored twice has the same content-addressed variant files.
    first = outputs(make_job(funded, size=(600, 400), variants=True))[0]
    second = outputs(make_job(funded, size=(600, 400), variants=True))[0]
    shared = [name for _, name in VariantSet.from_data(second.variants).files()]
    assert shared == [name for _, name in VariantSet.from_data(first.variants).files()]

    services.image_delete(user=funded, image=first)
    services.images_purge_due()

    assert not default_storage.exists(first.file.name)
    assert all(default_storage.exists(name) for name in shared)
    services.image_delete(user=funded, image=second)
    services.images_purge_due()
    assert not any(default_storage.exists(name) for name in shared)


def test_purge_command_dry_run_changes_nothing_and_a_real_run_purges(settings, funded, make_job):
    settings.GENERATION_DELETE_GRACE_DAYS = 0
    image = outputs(make_job(funded))[0]
    services.image_delete(user=funded, image=image)

    call_command("purge_deleted_media", "--dry-run", stdout=(out := _Out()))
    assert "1 deleted image would be purged" in out.text and default_storage.exists(image.file.name)

    call_command("purge_deleted_media", stdout=(out := _Out()))
    assert "1 deleted image purged" in out.text and not default_storage.exists(image.file.name)


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def _licensed_job(market_business, signed_model, local_model):
    from generation.services import job_submit

    job = job_submit(
        user=market_business,
        ai_model=local_model,
        prompt="Linen shirt on a beach",
        human_model=signed_model,
        category="casual",
    )
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    return job


def test_a_human_model_image_loses_its_file_but_keeps_its_license_record(
    client, settings, approved, market_business, signed_model, local_model
):
    settings.GENERATION_DELETE_GRACE_DAYS = 0
    job = _licensed_job(market_business, signed_model, local_model)
    image = outputs(job)[0]
    royalty = job.royalty_cents
    client.force_login(market_business)
    for confirm in (
        client.get(reverse("generation:image_delete", args=[image.pk])),
        client.post(reverse("generation:bulk"), {"action": "delete", "images": [str(image.pk)]}),
    ):
        assert "The license record of the model who appears in it is kept" in confirm.text

    services.job_delete(user=market_business, job=job)
    services.images_purge_due()

    assert not default_storage.exists(image.file.name)
    job.refresh_from_db()
    assert job.royalty_cents == royalty and job.consent_request_id == approved.pk
    client.force_login(signed_model)
    record = client.get(reverse("marketplace:license", args=[job.pk]))
    assert record.status_code == 200 and "Image deleted by the business" in record.text


@pytest.mark.parametrize("confirm", [False, True])
def test_bulk_delete_confirms_first_and_a_strangers_image_in_the_list_changes_nothing(
    client, funded, stranger, make_job, confirm
):
    mine = outputs(make_job(funded, outputs=2))
    theirs = outputs(make_job(stranger))[0]
    client.force_login(funded)
    data = {"action": "delete", "images": [str(i.pk) for i in mine] + [str(theirs.pk), "junk"]}
    if confirm:
        data["confirm"] = "on"

    response = client.post(reverse("generation:bulk"), data, follow=confirm)

    if not confirm:
        assert response.status_code == 200 and "Delete 2 images?" in response.text
        assert not Image.objects.exclude(deleted_at=None).exists()
        return
    assert Image.objects.exclude(deleted_at=None).count() == 2
    assert Image.objects.get(pk=theirs.pk).deleted_at is None
    assert "2 images deleted" in response.text and "1 selected image could not be changed" in response.text


def test_the_lightbox_offers_delete_to_the_owner_only_through_the_confirmation_page(
    client, funded, stranger, make_job
):
    image = outputs(make_job(funded))[0]
    Image.objects.filter(pk=image.pk).update(is_public=True)
    lightbox = reverse("social:image_lightbox", args=[image.pk])
    client.force_login(funded)

    grid = client.get(reverse("generation:history") + "?view=gallery").text
    mine = client.get(lightbox, HTTP_HX_REQUEST="true").text
    client.force_login(stranger)
    theirs = client.get(lightbox, HTTP_HX_REQUEST="true").text

    assert f'data-lightbox-url="{lightbox}"' in grid
    assert f'href="{image_url(image, "generation:image_delete")}"' in mine
    assert "Delete" not in theirs and image_url(image, "generation:image_delete") not in theirs


def test_a_deleted_image_leaves_the_lineage_of_the_images_made_from_it(client, funded, make_job):
    root, middle, last = outputs(make_job(funded, outputs=3))
    Image.objects.filter(pk=middle.pk).update(parent=root, original=root)
    Image.objects.filter(pk=last.pk).update(parent=middle, original=root)
    client.force_login(funded)
    assert image_url(middle) in client.get(image_url(last)).text

    services.image_delete(user=funded, image=middle)

    page = client.get(image_url(last)).text
    assert image_url(middle) not in page and image_url(root) in page
    assert image_url(middle) not in client.get(image_url(root)).text  # nor among its children
