"""Media tests: a storage that counts what is asked of it, and a local
S3-compatible server (moto's server mode) with a bucket per test."""

import io
import socket
import uuid
from collections import Counter

import boto3
import pytest
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer
from PIL import Image

from articles.storage import AtomicFileSystemStorage
from newsroom import storages

# This helper's port range; a port taken by something else is skipped.
PORTS = range(8310, 8330)

# Every Storage method that reaches the files (on object storage, a request):
# counted by CountingStorage. url() is not among them: it builds a string; nor
# path(), which the local storage uses inside the others (object storage has
# none: the S3 tests would fail on any use of it).
STORAGE_METHODS = (
    "exists",
    "open",
    "save",
    "delete",
    "size",
    "listdir",
    "get_modified_time",
    "get_created_time",
    "get_accessed_time",
)


class CountingStorage(AtomicFileSystemStorage):
    """The default local storage, counting each call by method name."""

    calls: Counter = Counter()


def _counted(method_name):
    original = getattr(AtomicFileSystemStorage, method_name)

    def method(self, *args, **kwargs):
        type(self).calls[method_name] += 1
        return original(self, *args, **kwargs)

    method.__name__ = method_name
    return method


for _name in STORAGE_METHODS:
    setattr(CountingStorage, _name, _counted(_name))


@pytest.fixture
def storage_calls(settings):
    """The default storage counts its calls; the fixture is that Counter
    (clear it before the part measured)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.media.conftest.CountingStorage"},
    }
    CountingStorage.calls = Counter()
    assert isinstance(default_storage._wrapped, CountingStorage) or isinstance(
        default_storage, CountingStorage
    )
    yield CountingStorage.calls


def jpeg_bytes(size=(2000, 1000), colour=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}.")


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a free port, for the whole session; stopped after."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_env(s3_endpoint):
    """The environment an operator would set, with a fresh bucket."""
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    env = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "newsroom-test",
        "AWS_SECRET_ACCESS_KEY": "newsroom-test-secret",
        # moto enforces ACLs for anonymous reads, as AWS does with ACLs on.
        "AWS_DEFAULT_ACL": "public-read",
    }
    s3_client(env).create_bucket(Bucket=bucket)
    return env


def s3_client(env):
    """A boto3 client of its own, to look into the bucket from outside."""
    return boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name=env["AWS_S3_REGION_NAME"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def s3_media(settings, s3_env):
    """The site's media in the bucket, configured as settings.py does it."""
    media_url, default, kept = storages.s3_storages(s3_env)
    settings.MEDIA_URL = media_url
    settings.STORAGES = {**settings.STORAGES, "default": default, "kept_uploads": kept}
    return s3_env


def bucket_keys(env) -> set[str]:
    listing = s3_client(env).list_objects_v2(Bucket=env["AWS_STORAGE_BUCKET_NAME"])
    return {item["Key"] for item in listing.get("Contents", [])}
