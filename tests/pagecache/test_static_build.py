"""Pages stored before a deploy that changed the static files are not served
after it: they link to hashed file names of the old build."""

import json

import pytest
from django.core.files.storage import storages
from django.test import RequestFactory

from pagecache import store


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }
    store.static_build.cache_clear()
    yield tmp_path
    store.static_build.cache_clear()


def write_manifest(root, css_name):
    paths = {"css/site.css": css_name}
    (root / "staticfiles.json").write_text(
        json.dumps({"paths": paths, "version": "1.1"})
    )
    assert "staticfiles" in storages.backends


def key_for_home():
    return store.page_key(RequestFactory().get("/"), ())


def test_a_new_static_build_gives_every_page_a_new_key(manifest_storage):
    write_manifest(manifest_storage, "css/site.0123abcd.css")
    before = key_for_home()
    assert key_for_home() == before  # remembered: one read per process

    write_manifest(manifest_storage, "css/site.4567ef01.css")
    store.static_build.cache_clear()  # a new process after the deploy
    assert key_for_home() != before


def test_the_same_build_keeps_the_same_keys_across_processes(manifest_storage):
    write_manifest(manifest_storage, "css/site.0123abcd.css")
    before = key_for_home()
    store.static_build.cache_clear()
    assert key_for_home() == before


def test_without_a_manifest_keys_do_not_depend_on_one(settings):
    store.static_build.cache_clear()
    try:
        assert store.static_build() == ""
        assert key_for_home().startswith(store.ENTRY_PREFIX)
    finally:
        store.static_build.cache_clear()
