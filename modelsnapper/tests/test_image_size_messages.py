"""Size refusals never describe a too-big file with the same words as the limit, and write
sizes the way the reader's language writes numbers (issue #15.2: a Spanish reader is told
"63,2 MB" and "52 428 801 bytes", not "63.2 MB" and "52,428,801 bytes")."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from modelsnapper.images import validate_image_upload

LIMIT = 50 * 1024 * 1024
NBSP = "\xa0"  # Django's Spanish thousands separator


class Sized(io.BytesIO):
    """A file that declares its size; reading it would be a bug (the cap comes first)."""

    def __init__(self, size: int):
        super().__init__(b"")
        self.size = size

    def read(self, *args):
        raise AssertionError("the file was read")


def refusal(size: int, *, video: bool = False) -> str:
    from social.media import validate_video_upload

    validate = validate_video_upload if video else validate_image_upload
    with pytest.raises(ValidationError) as caught:
        validate(Sized(size), max_bytes=LIMIT)
    return caught.value.messages[0]


def test_an_image_one_byte_over_fifty_megabytes_is_not_called_fifty_megabytes():
    assert refusal(LIMIT + 1) == "This image is 52,428,801 bytes; the limit is 52,428,800 bytes (50 MB)."


def test_an_image_that_rounds_to_the_limit_is_shown_in_exact_bytes():
    # 50.04 MB rounds to "50 MB" at one decimal.
    assert (
        refusal(LIMIT + 40 * 1024) == "This image is 52,469,760 bytes; the limit is 52,428,800 bytes (50 MB)."
    )


def test_a_clearly_bigger_image_keeps_the_short_form():
    assert refusal(int(63.2 * 1024 * 1024)) == "This image is 63.2 MB; the limit is 50 MB."


def test_video_refusals_use_the_same_words():
    from modelsnapper.images import describe_excess
    from social.media import validate_video_upload

    with pytest.raises(ValidationError) as caught:
        validate_video_upload(Sized(LIMIT + 1), max_bytes=LIMIT)
    assert caught.value.messages == ["This video is 52,428,801 bytes; the limit is 52,428,800 bytes (50 MB)."]
    assert describe_excess(LIMIT + 1, LIMIT) == ("52,428,801 bytes", "52,428,800 bytes (50 MB)")


def test_a_spanish_reader_is_told_an_images_size_with_a_decimal_comma():
    with translation.override("es"):
        assert refusal(int(63.2 * 1024 * 1024)) == "Esta imagen ocupa 63,2 MB; el límite es 50 MB."


def test_a_spanish_reader_is_told_exact_bytes_grouped_the_spanish_way():
    with translation.override("es"):
        assert refusal(LIMIT + 1) == (
            f"Esta imagen ocupa 52{NBSP}428{NBSP}801 bytes; el límite es 52{NBSP}428{NBSP}800 bytes (50 MB)."
        )


def test_a_spanish_reader_is_told_a_videos_size_in_spanish_numbers_too():
    with translation.override("es"):
        assert refusal(int(1234.5 * 1024 * 1024), video=True) == (
            f"Este vídeo ocupa 1{NBSP}234,5 MB; el límite es 50 MB."
        )


def test_an_english_reader_still_reads_english_numbers():
    with translation.override("en"):
        assert refusal(int(1234.5 * 1024 * 1024)) == "This image is 1,234.5 MB; the limit is 50 MB."
