"""Size refusals never describe a too-big file with the same words as the limit."""

import io

import pytest
from django.core.exceptions import ValidationError

from modelsnapper.images import validate_image_upload

LIMIT = 50 * 1024 * 1024


class Sized(io.BytesIO):
    """A file that declares its size; reading it would be a bug (the cap comes first)."""

    def __init__(self, size: int):
        super().__init__(b"")
        self.size = size

    def read(self, *args):
        raise AssertionError("the file was read")


def refusal(size: int) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_image_upload(Sized(size), max_bytes=LIMIT)
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
