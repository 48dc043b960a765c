"""Media on S3 for tests: moto's server mode (a real HTTP endpoint) as the default storage."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

BUCKET = "media-test"


@contextlib.contextmanager
def moto_s3_media(settings) -> Iterator[str]:
    """Point the default storage at a fresh bucket on a local moto server; yields its endpoint."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._server.server_port}"
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "querystring_auth": True,
        "querystring_expire": 300,
        "default_acl": None,
        "file_overwrite": False,
    }
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "modelsnapper.s3storage.MediaS3Storage", "OPTIONS": options},
    }
    try:
        yield endpoint
    finally:
        server.stop()
