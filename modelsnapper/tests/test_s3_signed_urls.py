"""A page's pictures on S3 are signed once per process and half a lifetime, not once per picture shown.

Signing is local work (no request reaches S3), so the storage here needs no bucket. The
signatures are counted at botocore's client, the one place a URL is signed.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from modelsnapper import s3storage
from modelsnapper.s3storage import MediaS3Storage


@pytest.fixture
def storage():
    return MediaS3Storage(
        bucket_name="media",
        access_key="testing",
        secret_key="testing",
        region_name="us-east-1",
        querystring_expire=300,
    )


@pytest.fixture
def signatures(storage):
    client = storage.connection.meta.client
    signed: list[str] = []
    original = client.generate_presigned_url

    def counting(*args, **kwargs):
        signed.append(kwargs["Params"]["Key"])
        return original(*args, **kwargs)

    client.generate_presigned_url = counting
    return signed


class Clock:
    """The storage module's clock (its ``time``), moved on by hand."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(s3storage, "time", clock, raising=False)
    return clock


def test_a_picture_shown_on_many_pages_is_signed_once_and_every_page_gets_the_same_url(
    storage, signatures, clock
):
    urls = {storage.url("private/u1/posts/a.webp") for _ in range(20)}
    other = storage.url("private/u1/posts/b.webp")

    assert len(urls) == 1
    assert signatures == ["private/u1/posts/a.webp", "private/u1/posts/b.webp"]
    assert other not in urls
    assert "Signature" in parse_qs(urlsplit(urls.pop()).query)


def test_a_signed_url_is_handed_out_only_while_half_its_lifetime_remains(storage, signatures, clock):
    first = storage.url("private/u1/posts/a.webp")
    clock.now += 149
    assert storage.url("private/u1/posts/a.webp") == first
    clock.now += 2  # past half of the 300 s the URL is valid for
    storage.url("private/u1/posts/a.webp")

    assert signatures == ["private/u1/posts/a.webp", "private/u1/posts/a.webp"]


def test_urls_with_their_own_parameters_are_signed_each_time(storage, signatures, clock):
    for _ in range(2):
        storage.url("private/u1/posts/a.webp", parameters={"ResponseContentDisposition": "attachment"})

    assert len(signatures) == 2
