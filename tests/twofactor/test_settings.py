"""STAFF_2FA's three values, its default, and the per-role rule."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.articles.workflow_helpers import make_role_user
from tests.factories import make_user
from tests.twofactor.conftest import with_app
from twofactor import policy
from twofactor.checks import check_settings
from twofactor.conf import settings as conf

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]
ROOT = Path(__file__).resolve().parents[2]


def desk_opens(client, user) -> bool:
    client.force_login(user)
    return client.get("/admin/").status_code == 200


def resolved(**env) -> str:
    """STAFF_2FA and STAFF_2FA_ROLES as settings.py makes them from ``env``."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "STAFF_2FA", "STAFF_2FA_ROLES"}
    }
    base.update(SECRET_KEY="k" * 50, DJANGO_SETTINGS_MODULE="newsroom.settings")
    base.update(env)
    code = (
        "import django; django.setup(); from twofactor.conf import settings; "
        "print(settings.STAFF_2FA, ','.join(settings.STAFF_2FA_ROLES))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_production_requires_a_second_factor_by_default():
    assert resolved() == "required *"
    assert resolved(DEBUG="0") == "required *"
    assert resolved(DEBUG="1") == "optional *"
    assert resolved(STAFF_2FA="off") == "off *"
    assert resolved(STAFF_2FA_ROLES="Editor, Moderator") == "required Editor,Moderator"


def test_the_default_follows_debug(settings):
    del settings.STAFF_2FA
    settings.DEBUG = False
    assert conf.STAFF_2FA == "required"
    settings.DEBUG = True
    assert conf.STAFF_2FA == "optional"


def test_required_asks_every_staff_member(client, editor, reporter, superuser):
    staff_without_role = make_user(staff=True)
    for user in [editor, reporter, superuser, staff_without_role]:
        assert not desk_opens(client, user), user


def test_optional_asks_only_those_who_enrolled(client, settings, editor, reporter):
    settings.STAFF_2FA = "optional"
    with_app(editor)
    assert not desk_opens(client, editor)
    assert desk_opens(client, reporter)


def test_off_asks_nobody(client, settings, editor):
    settings.STAFF_2FA = "off"
    with_app(editor)
    assert desk_opens(client, editor)


def test_required_for_some_roles_only(client, settings, editor, reporter, superuser):
    settings.STAFF_2FA_ROLES = ["Editor"]
    moderator = make_role_user("Moderator")
    assert not desk_opens(client, editor)
    assert desk_opens(client, reporter)
    assert desk_opens(client, moderator)
    # Superusers are always asked; so is anyone who has enrolled.
    assert not desk_opens(client, superuser)
    with_app(reporter)
    assert not desk_opens(client, reporter)


def test_the_rule_applies_to_active_staff_only(editor):
    reader = make_user()
    assert not policy.applies_to(reader)
    editor.is_active = False
    assert not policy.applies_to(editor)


def test_a_bad_value_fails_the_checks(settings):
    settings.STAFF_2FA = "sometimes"
    settings.STAFF_2FA_ROLES = ["Editors"]
    assert {error.id for error in check_settings(None)} == {
        "twofactor.E001",
        "twofactor.E002",
    }
    with pytest.raises(SystemCheckError):
        call_command("check")


def test_the_settings_pass_the_checks():
    assert check_settings(None) == []
