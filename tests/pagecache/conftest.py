"""Every page cache test runs on two stores: the configured one (LocMem, or
Redis under REDIS_URL) and the embedded default's SQLite file
(newsroom/sqlitecache.py, a fresh file per test)."""

import pytest

STORES = ["configured", "sqlite"]
# Modules that choose their caches themselves.
OWN_CACHES = {"test_config", "test_purgers", "test_varnish"}


def pytest_generate_tests(metafunc):
    if "page_cache_store" in metafunc.fixturenames:
        if metafunc.module.__name__.rsplit(".", 1)[-1] not in OWN_CACHES:
            metafunc.parametrize("page_cache_store", STORES, indirect=True)


@pytest.fixture(autouse=True)
def page_cache_store(request, settings, tmp_path):
    """The store under the "default" alias, which the tests read and write
    directly (``django.core.cache.cache``)."""
    store = getattr(request, "param", "configured")
    if store == "sqlite":
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "newsroom.sqlitecache.SQLiteCache",
                "LOCATION": str(tmp_path / "pagecache.sqlite3"),
                "OPTIONS": {"MAX_ENTRIES": 10_000},
            },
        }
    settings.PAGE_CACHE_ALIAS = "default"
    return store
