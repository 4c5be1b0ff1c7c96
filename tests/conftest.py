import os

import pytest
from django.core.cache import cache


def pytest_sessionstart(session):
    """Under a configured Redis, fail at once if it is not answering.

    The cache ignores Redis errors by design (an outage must not become a 500),
    so without this check a suite "against Redis" could pass without it.
    """
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            pytest.exit(f"REDIS_URL is set but Redis does not answer: {exc}", 3)


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path):
    """Each test gets a fresh cache, its own MEDIA_ROOT and plain static files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Axes needs the request to authenticate, which Client.login() does not pass;
    # the login throttling tests (tests/newsroom/test_login.py) switch it on.
    settings.AXES_ENABLED = False
    # Tests see freshly rendered pages (query budgets measure rendering); the
    # page cache's own tests (tests/articles/test_cache.py) switch it on.
    settings.PAGE_CACHE = False
    if "pagecache" in settings.CACHES:
        # The embedded default's shared cache file (newsroom/sqlitecache.py):
        # a fresh one per test, never the site's own under DATA_DIR.
        settings.CACHES = {
            **settings.CACHES,
            "pagecache": {
                **settings.CACHES["pagecache"],
                "LOCATION": str(tmp_path / "cache.sqlite3"),
            },
        }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    cache.clear()
    yield
    cache.clear()
