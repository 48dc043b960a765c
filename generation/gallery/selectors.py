"""Gallery reads: my starred images, a board's images, my boards (the history of my generations
is ``generation.selectors.history``). A page costs the same queries however many images it holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from generation.models import Board, Image, Job
from modelsnapper.ids import object_id_or_404
from modelsnapper.paging import keyset_page

IMAGES_PAGE_SIZE = 40


@dataclass
class ImagesPage:
    images: list[Image]
    next_cursor: str | None


def images(
    user,
    *,
    favourites: bool = False,
    board: Board | None = None,
    cursor: str = "",
    page_size: int = IMAGES_PAGE_SIZE,
) -> ImagesPage:
    """My images on show, newest first: all of them, the starred ones or one board's."""
    rows = Image.objects.shown().filter(user_id=user.pk)
    if favourites:
        rows = rows.filter(is_favourite=True)
    if board is not None:
        rows = rows.filter(board_id=board.pk)
    page, next_cursor = keyset_page(rows, before=cursor, size=page_size)
    return ImagesPage(page, next_cursor or None)


def boards_for(user) -> list[Board]:
    return list(Board.objects.filter(user_id=user.pk).order_by("name"))


def board_for_user(user, board_id) -> Board:
    """The user's board, or 404 (foreign and malformed ids look the same)."""
    board = Board.objects.filter(pk=object_id_or_404(board_id), user_id=user.pk).first()
    if board is None:
        raise Http404("No such board.")
    return board


def images_for_download(user, image_ids) -> list[Image]:
    """My images on show among ``image_ids``, newest first (what a zip holds)."""
    return list(Image.objects.shown().filter(pk__in=list(image_ids), user_id=user.pk).order_by("-pk"))


def any_licensed(images) -> bool:
    """Whether any of these images shows a human model (its license record outlives the image)."""
    job_ids = list({image.job_id for image in images if image.job_id})
    return bool(job_ids) and Job.objects.filter(pk__in=job_ids, model_type=Job.ModelType.HUMAN_MODEL).exists()
