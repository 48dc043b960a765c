"""A video whose frames are larger than the image pixel cap is refused before a frame is decoded."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from modelsnapper.testing.media import video_file
from social.media import validate_video_upload


def one_huge_frame_mp4(width: int = 8000, height: int = 8000) -> bytes:
    """A real MP4 holding one black frame of ``width`` × ``height`` (a few hundred KB)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for packet in stream.encode(av.VideoFrame(width, height, "yuv420p")):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def test_an_mp4_with_one_eight_thousand_pixel_square_frame_is_refused(settings):
    settings.MAX_IMAGE_PIXELS = 40_000_000
    data = one_huge_frame_mp4()
    assert len(data) < 1024 * 1024  # small on disk: the bomb is in the decoded size

    with pytest.raises(ValidationError) as caught:
        validate_video_upload(SimpleUploadedFile("bomb.mp4", data, content_type="video/mp4"))

    assert caught.value.messages == [
        "This video's frames are 8,000 × 8,000 pixels; the limit is 40 megapixels."
    ]


def test_the_video_frame_cap_is_the_image_pixel_cap(settings):
    settings.MAX_IMAGE_PIXELS = 64 * 48 - 1
    with pytest.raises(ValidationError) as caught:
        validate_video_upload(video_file(size=(64, 48)))
    assert caught.value.messages == ["This video's frames are 64 × 48 pixels; the limit is 3,071 pixels."]

    settings.MAX_IMAGE_PIXELS = 64 * 48
    accepted = validate_video_upload(video_file(size=(64, 48)))
    assert accepted.thumbnail.size > 0
