"""App settings: one default each, the prefixed name first, the old name still
read for one release and named by ``manage.py check``."""

import runpy
from pathlib import Path

import pytest
from django.core.management import call_command

from pagecache import conf as pagecache_conf
from viewcounts import conf as viewcounts_conf

SETTINGS = Path(__file__).resolve().parents[2] / "newsroom" / "settings.py"


def test_a_setting_not_set_anywhere_has_its_apps_default(settings):
    del settings.VIEWCOUNTS_DEDUP_SECONDS
    assert viewcounts_conf.settings.VIEWCOUNTS_DEDUP_SECONDS == 1800
    del settings.PAGE_CACHE_TTL
    assert pagecache_conf.settings.PAGE_CACHE_TTL == 6 * 3600


def test_the_old_name_is_still_read_and_the_new_one_wins(settings):
    settings.VIEW_DEDUP_SECONDS = 99
    assert viewcounts_conf.settings.VIEWCOUNTS_DEDUP_SECONDS == 99
    settings.VIEWCOUNTS_DEDUP_SECONDS = 7
    assert viewcounts_conf.settings.VIEWCOUNTS_DEDUP_SECONDS == 7


@pytest.mark.django_db
def test_check_names_an_old_setting_and_says_what_to_rename_it_to(settings, capsys):
    settings.VIEW_TRACKING = False
    call_command("check")
    err = capsys.readouterr().err
    assert "newsroom.W002" in err
    assert "VIEW_TRACKING is deprecated" in err and "VIEWCOUNTS_ENABLED" in err


@pytest.mark.django_db
def test_check_names_an_old_environment_variable(monkeypatch, capsys):
    monkeypatch.setenv("VIEW_REDIS_PREFIX", "old:prefix")
    call_command("check")
    assert "VIEW_REDIS_PREFIX is deprecated" in capsys.readouterr().err


@pytest.mark.django_db
def test_check_is_quiet_with_only_new_names(capsys):
    call_command("check")
    assert "W002" not in capsys.readouterr().err


def test_the_environment_sets_new_names_from_old_variables(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("VIEW_DEDUP_SECONDS", "12")
    monkeypatch.setenv("VIEWCOUNTS_FLUSH_INTERVAL", "34")
    values = runpy.run_path(str(SETTINGS))
    assert values["VIEWCOUNTS_DEDUP_SECONDS"] == 12
    assert values["VIEWCOUNTS_FLUSH_INTERVAL"] == 34
    assert "VIEW_DEDUP_SECONDS" not in values
