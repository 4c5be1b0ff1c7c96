import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path):
    """Each test gets a fresh cache, its own MEDIA_ROOT and plain static files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    cache.clear()
    yield
    cache.clear()
