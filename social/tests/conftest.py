import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from accounts.tests.factories import UserFactory
from social import services


@pytest.fixture
def blocked(db, owner):
    """Followed the owner once, then the owner blocked them: they see nothing of the owner's."""
    person = UserFactory(username="blocked", email="blocked@example.com")
    services.follow_create(follower=person, following=owner)
    services.block_create(blocker=owner, blocked=person)
    return person


@pytest.fixture
def following(db, owner, friend):
    """The friend follows the owner (as the shared fixtures describe)."""
    services.follow_create(follower=friend, following=owner)


def png_file(name="pic.png", size=(8, 8), color=(200, 30, 30)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)


@pytest.fixture
def make_post(owner):
    def make(author=None, **kwargs):
        kwargs.setdefault("category", "text-post")
        kwargs.setdefault("caption", "hello world")
        return services.post_create(author=author or owner, **kwargs)

    return make


def video_bytes(*, seconds: float = 1.0, kind: str = "mp4", fps: int = 4, size=(64, 48)) -> bytes:
    """A real, playable video made with PyAV: a coloured frame per step, ``seconds`` long."""
    import av

    codec = {"mp4": "mpeg4", "webm": "libvpx"}[kind]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=kind) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for n in range(max(1, round(seconds * fps))):
            image = Image.new("RGB", size, (30 + n * 7 % 200, 120, 200))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def video_file(name: str = "clip.mp4", **kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    kind = name.rsplit(".", 1)[-1]
    return SimpleUploadedFile(name, video_bytes(kind=kind, **kwargs), content_type=f"video/{kind}")
