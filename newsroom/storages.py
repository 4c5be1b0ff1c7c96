"""Where uploads live: the local disk (the default) or an S3-compatible bucket.

``MEDIA_STORAGE=s3`` puts uploads and their renditions in a bucket, configured
with django-storages' own setting names, read from the environment
(``AWS_STORAGE_BUCKET_NAME``, ``AWS_S3_ENDPOINT_URL``, ``AWS_S3_CUSTOM_DOMAIN``,
``AWS_S3_REGION_NAME``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, and
``AWS_DEFAULT_ACL``, ``AWS_S3_URL_PROTOCOL`` where needed). ``settings.py``
calls ``s3_storages()``; this module imports no app.

Two storages share the bucket:

- ``default``: published pictures (``uploads/``, ``renditions/``). Public,
  unsigned URLs (``querystring_auth=False``: a signed URL would expire inside
  a cached page) on the media domain, every object written with
  ``Cache-Control: public, max-age=31536000, immutable``. That lifetime is
  safe because a name never gets other content: uploads are named at random
  (``articles.models.upload_path``), renditions after their original
  (``articles.images.rendition_name``). URLs are built as strings: with no
  custom domain, from the endpoint and the bucket, so drawing a page signs
  nothing and asks nothing of the bucket.
- ``kept_uploads``: pictures kept for an editor whose form failed
  (``articles.uploads``), under ``kept/``. Never public: written ``private``
  and ``Cache-Control: private, no-store``, read only with the keys (signed
  URLs, were one ever made). The bucket's public-read policy must cover
  ``uploads/*`` and ``renditions/*`` only (docs/deploy.md).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
PRIVATE_CACHE_CONTROL = "private, no-store"
KEPT_LOCATION = "kept"
# django-storages' S3Storage, its failures raised as OSError (newsroom/s3.py).
S3_BACKEND = "newsroom.s3.S3MediaStorage"


def _get(environ, name: str) -> str | None:
    return (environ.get(name) or "").strip() or None


def media_domain(environ) -> tuple[str, str]:
    """``(url_protocol, domain)`` that public URLs are built on.

    ``AWS_S3_CUSTOM_DOMAIN`` when set (the newsroom's own media host, often a
    CDN in front of the bucket); else the endpoint with the bucket as the
    first path segment (path-style, which every S3-compatible server
    answers); else AWS's own virtual-hosted name for the bucket.
    """
    bucket = _get(environ, "AWS_STORAGE_BUCKET_NAME")
    custom = _get(environ, "AWS_S3_CUSTOM_DOMAIN")
    protocol = _get(environ, "AWS_S3_URL_PROTOCOL")
    if custom:
        return protocol or "https:", custom.rstrip("/")
    endpoint = _get(environ, "AWS_S3_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        if not parts.scheme or not parts.netloc:
            raise ImproperlyConfigured(
                f"AWS_S3_ENDPOINT_URL must be an absolute URL, not {endpoint!r}."
            )
        path = parts.path.rstrip("/")
        return protocol or f"{parts.scheme}:", f"{parts.netloc}{path}/{bucket}"
    region = _get(environ, "AWS_S3_REGION_NAME") or "us-east-1"
    return protocol or "https:", f"{bucket}.s3.{region}.amazonaws.com"


def s3_storages(environ) -> tuple[str, dict, dict]:
    """``(MEDIA_URL, default, kept_uploads)`` for ``MEDIA_STORAGE=s3``: the
    public base URL of uploads and the two ``STORAGES`` entries."""
    bucket = _get(environ, "AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (the bucket's name)."
        )
    protocol, domain = media_domain(environ)
    endpoint = _get(environ, "AWS_S3_ENDPOINT_URL")
    common = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": _get(environ, "AWS_S3_REGION_NAME"),
        "access_key": _get(environ, "AWS_ACCESS_KEY_ID"),
        "secret_key": _get(environ, "AWS_SECRET_ACCESS_KEY"),
        # Names are unique by construction, so no existence check before a
        # write (django-storages' default, said here because it matters).
        "file_overwrite": True,
        # Path-style requests: what MinIO, Ceph, Garage and moto answer
        # without wildcard DNS; AWS answers them too.
        "addressing_style": "path" if endpoint else None,
    }
    # Where the bucket uses ACLs (AWS_DEFAULT_ACL=public-read), published
    # objects carry it; where ACLs are off, the bucket policy decides.
    public_acl = _get(environ, "AWS_DEFAULT_ACL")
    default = {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            **common,
            "querystring_auth": False,
            "custom_domain": domain,
            "url_protocol": protocol,
            "default_acl": public_acl,
            "object_parameters": {"CacheControl": PUBLIC_CACHE_CONTROL},
        },
    }
    kept = {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            **common,
            "location": KEPT_LOCATION,
            "querystring_auth": True,
            "custom_domain": None,
            "default_acl": "private" if public_acl else None,
            "object_parameters": {"CacheControl": PRIVATE_CACHE_CONTROL},
        },
    }
    return f"{protocol}//{domain}/", default, kept
