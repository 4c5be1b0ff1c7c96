"""``MEDIA_STORAGE`` as settings.py reads it from the environment: local disk
by default, a bucket with ``s3``; the CSP names the media host only then."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom import storages

ROOT = Path(__file__).resolve().parents[2]
SHOW = """
import json
from django.conf import settings
print(json.dumps({
    "media_url": settings.MEDIA_URL,
    "media_serve": settings.MEDIA_SERVE,
    "storages": {k: v for k, v in settings.STORAGES.items() if k != "staticfiles"},
    "img_src": [str(s) for s in settings.SECURE_CSP["img-src"]],
    "admin_img_src": [str(s) for s in settings.ADMIN_CSP["img-src"]],
}))
"""


def settings_under(**env) -> dict:
    """settings.py as a fresh process reads it with ``env``."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "MEDIA_"))
    }
    clean.update(DJANGO_SETTINGS_MODULE="newsroom.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_media_stays_on_local_disk_by_default_and_the_csp_names_no_other_host():
    shown = settings_under()
    assert shown["storages"] == {
        "default": {"BACKEND": "articles.storage.AtomicFileSystemStorage"}
    }
    assert shown["media_url"] == "/media/"
    assert shown["media_serve"] is True
    assert shown["img_src"] == ["'self'"]


def test_with_s3_and_a_custom_domain_the_csp_allows_that_domain_only():
    shown = settings_under(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="newsroom-media",
        AWS_S3_REGION_NAME="eu-central-1",
        AWS_S3_CUSTOM_DOMAIN="media.newsroom.example",
        AWS_ACCESS_KEY_ID="id",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    default = shown["storages"]["default"]
    assert default["BACKEND"] == "newsroom.s3.S3MediaStorage"
    assert default["OPTIONS"]["bucket_name"] == "newsroom-media"
    assert default["OPTIONS"]["custom_domain"] == "media.newsroom.example"
    assert default["OPTIONS"]["querystring_auth"] is False
    assert shown["storages"]["kept_uploads"]["OPTIONS"]["querystring_auth"] is True
    assert shown["media_url"] == "https://media.newsroom.example/"
    # newsroom/media.py's serving is for local disk only.
    assert shown["media_serve"] is False
    assert shown["img_src"] == ["'self'", "https://media.newsroom.example"]
    assert "https://media.newsroom.example" in shown["admin_img_src"]


def test_without_a_custom_domain_urls_are_the_endpoints_path_style():
    media_url, default, _ = storages.s3_storages(
        {
            "AWS_STORAGE_BUCKET_NAME": "media",
            "AWS_S3_ENDPOINT_URL": "https://s3.storage.example:9000/",
        }
    )
    assert media_url == "https://s3.storage.example:9000/media/"
    assert default["OPTIONS"]["addressing_style"] == "path"


def test_on_aws_without_a_custom_domain_urls_are_the_buckets_own_host():
    media_url, _, _ = storages.s3_storages(
        {"AWS_STORAGE_BUCKET_NAME": "media", "AWS_S3_REGION_NAME": "ap-northeast-2"}
    )
    assert media_url == "https://media.s3.ap-northeast-2.amazonaws.com/"


def test_s3_without_a_bucket_is_refused():
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        storages.s3_storages({"AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"})
