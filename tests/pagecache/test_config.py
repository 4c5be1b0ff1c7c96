"""The page cache's configuration: on by default only with a cache shared by
every worker process, and a system check for PAGE_CACHE=1 without one."""

import runpy
from pathlib import Path

import pytest
from django.core import checks

from pagecache import conf
from pagecache.checks import page_cache_needs_a_shared_cache

SETTINGS = Path(__file__).resolve().parents[2] / "newsroom" / "settings.py"
REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
    }
}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def settings_with(monkeypatch, **env):
    monkeypatch.setenv("SECRET_KEY", "x")
    for name in ("PAGE_CACHE", "REDIS_URL", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PAGE_CACHE": "1"}, True),
        ({"PAGE_CACHE": "0", "REDIS_URL": "redis://127.0.0.1:6379/0"}, False),
    ],
    ids=["explicitly on", "explicitly off"],
)
def test_the_environment_switches_the_page_cache(monkeypatch, env, expected):
    assert settings_with(monkeypatch, **env)["PAGE_CACHE"] is expected


def test_the_environment_leaves_the_default_to_the_app(monkeypatch):
    assert "PAGE_CACHE" not in settings_with(monkeypatch)


@pytest.mark.parametrize(
    ("caches", "expected"),
    [(LOCMEM, False), (REDIS, True)],
    ids=["in-process cache", "redis"],
)
def test_the_page_cache_is_on_by_default_only_with_a_shared_cache(
    settings, caches, expected
):
    del settings.PAGE_CACHE
    settings.CACHES = caches
    assert conf.settings.PAGE_CACHE is expected


def test_the_check_is_registered():
    assert page_cache_needs_a_shared_cache in checks.registry.registry.get_checks()


def test_a_page_cache_in_one_process_of_many_is_a_warning(settings):
    settings.PAGE_CACHE = True
    settings.DEBUG = False
    settings.CACHES = LOCMEM
    [warning] = page_cache_needs_a_shared_cache(None)
    assert warning.level == checks.WARNING
    assert warning.id == "newsroom.W001"
    assert "single" in warning.msg


@pytest.mark.parametrize(
    ("page_cache", "debug", "caches"),
    [(True, False, REDIS), (False, False, LOCMEM), (True, True, LOCMEM)],
    ids=["shared cache", "page cache off", "debug"],
)
def test_no_warning_otherwise(settings, page_cache, debug, caches):
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
    settings.PAGE_CACHE = page_cache
    settings.DEBUG = debug
    settings.CACHES = caches
    assert page_cache_needs_a_shared_cache(None) == []
