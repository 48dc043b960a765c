"""Races on the real services from real threads: one delete, one board per name, one purge."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.core.files.storage import default_storage

from generation.gallery import services
from generation.models import Board, Image
from modelsnapper.testing.threads import closes_connections
from social.services import post_publish_generation

from ..helpers import outputs


def run_together(fn, args) -> list:
    """``fn(arg)`` for each arg on its own thread; a stuck thread fails the test instead of hanging it."""
    pool = ThreadPoolExecutor(len(args))
    try:
        futures = [pool.submit(closes_connections(fn), arg) for arg in args]
        return [future.result(timeout=60) for future in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def test_six_concurrent_deletes_of_one_image_delete_it_once_and_record_its_post_copy_once(funded, make_job):
    job = make_job(funded)
    image = outputs(job)[0]
    post, _ = post_publish_generation(author=funded, image=image)
    copy = post.media.name

    def delete(n):
        if n % 2:
            return services.job_delete(user=funded, job=job)
        return services.image_delete(user=funded, image=image)

    results = run_together(delete, list(range(6)))

    stored = Image.objects.get(pk=image.pk)
    assert stored.deleted_at is not None
    assert (
        results[1::2].count(True) == 1 and results[0::2].count(True) <= 1
    )  # one job delete, one image delete at most
    assert stored.purge_names.count(copy) == 1


def test_concurrent_boards_with_one_name_make_one_board(funded):
    def create(_):
        try:
            return services.board_create(user=funded, name="Sunsets").pk
        except services.GalleryError as exc:
            return str(exc)

    results = run_together(create, list(range(6)))

    assert Board.objects.filter(user=funded).count() == 1
    assert results.count("You already have a board with that name.") == 5


def test_concurrent_purges_remove_the_files_once_without_error(settings, funded, make_job):
    settings.GENERATION_DELETE_GRACE_DAYS = 0
    image = outputs(make_job(funded, size=(600, 400), variants=True))[0]
    services.image_delete(user=funded, image=image)
    image.refresh_from_db()
    names = services.image_stored_names(image)

    run_together(lambda _: services.images_purge_due(), list(range(4)))

    assert not any(default_storage.exists(name) for name in names)
    assert Image.objects.get(pk=image.pk).purged_at is not None
