import pytest
from django.contrib.auth.models import Group, Permission
from django.http import HttpResponse
from django.test import Client, RequestFactory

from audit.context import AuditContextMiddleware
from audit.models import AuditEntry
from tests.audit.conftest import CLIENT_ADDRESS, PROXIED, entries
from tests.factories import make_user

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    # Axes watches the login form (and needs the request), as in production.
    settings.AXES_ENABLED = True


def test_a_login_is_recorded_with_the_user_and_the_trusted_address():
    user = make_user(staff=True, username="ines", password="s3cret-passphrase")
    client = Client(**PROXIED)
    response = client.post(
        LOGIN, {"username": "ines", "password": "s3cret-passphrase", "next": "/admin/"}
    )
    assert response.status_code == 302
    [entry] = entries(Action.LOGGED_IN)
    assert entry.actor == user and entry.object_id == str(user.pk)
    assert entry.address == CLIENT_ADDRESS
    assert not entries(Action.LOGIN_FAILED)


def test_a_failed_login_keeps_the_account_it_named_and_never_the_password():
    ines = make_user(staff=True, username="ines", password="s3cret-passphrase")
    client = Client(**PROXIED)
    client.post(LOGIN, {"username": "ines", "password": "hunter2-wrong"})
    # A name that names no account may be a password typed in the wrong box.
    client.post(LOGIN, {"username": "hunter2-in-the-wrong-box", "password": "x"})
    failed = entries(Action.LOGIN_FAILED)
    assert [entry.details for entry in failed] == [
        {"username": "ines"},
        {"username": "(no such account)"},
    ]
    assert [entry.object_repr for entry in failed] == ["ines", "(no such account)"]
    assert [entry.object_id for entry in failed] == [str(ines.pk), ""]
    assert all(
        entry.actor is None and entry.address == CLIENT_ADDRESS for entry in failed
    )
    stored = str(list(AuditEntry.objects.values()))
    assert "hunter2" not in stored and "*****" not in stored
    assert not entries(Action.LOGGED_IN)


def test_a_logout_is_recorded():
    user = make_user(staff=True)
    client = Client(**PROXIED)
    client.force_login(user)
    client.post("/admin/logout/")
    [entry] = entries(Action.LOGGED_OUT)
    assert entry.actor == user and entry.address == CLIENT_ADDRESS


def test_group_changes_are_recorded_from_either_side():
    user = make_user(staff=True)
    editors = Group.objects.get(name="Editor")
    reporters = Group.objects.get(name="Reporter")
    user.groups.add(editors)
    reporters.user_set.add(user)
    user.groups.remove(editors)
    user.groups.clear()
    changes = entries(Action.GROUPS_CHANGED)
    assert [entry.details for entry in changes] == [
        {"added": ["Editor"]},
        {"added": [str(user)]},
        {"removed": ["Editor"]},
        {"removed": ["Reporter"]},
    ]
    assert [entry.object_repr for entry in changes] == [
        str(user),
        "Reporter",
        str(user),
        str(user),
    ]
    assert all(entry.via == AuditEntry.Via.COMMAND for entry in changes)


def test_permission_changes_of_users_and_groups_are_recorded():
    user = make_user(staff=True)
    group = Group.objects.create(name="Night desk")
    permission = Permission.objects.get(codename="publish_article")
    user.user_permissions.add(permission)
    group.permissions.add(permission)
    group.permissions.set([])
    changes = entries(Action.PERMISSIONS_CHANGED)
    assert [(entry.object_repr, entry.details) for entry in changes] == [
        (str(user), {"added": [str(permission)]}),
        ("Night desk", {"added": [str(permission)]}),
        ("Night desk", {"removed": [str(permission)]}),
    ]


def test_an_unchanged_set_records_nothing():
    group = Group.objects.get(name="Editor")
    before = AuditEntry.objects.count()
    group.permissions.set(list(group.permissions.all()))
    assert AuditEntry.objects.count() == before


def test_staff_and_superuser_changes_are_recorded_and_a_login_save_is_not():
    user = make_user()
    assert not entries(Action.ACCOUNT_CHANGED)
    user.is_staff = True
    user.save()
    user.is_superuser = True
    user.is_active = False
    user.save()
    user.save(update_fields=["last_login"])
    user.first_name = "Ines"
    user.save()
    changes = entries(Action.ACCOUNT_CHANGED)
    assert [entry.details for entry in changes] == [
        {"created": False, "is_staff": [False, True]},
        {"created": False, "is_active": [True, False], "is_superuser": [False, True]},
    ]


def test_a_new_superuser_is_recorded():
    user = make_user(superuser=True, staff=True)
    [entry] = entries(Action.ACCOUNT_CHANGED)
    assert entry.object_id == str(user.pk)
    assert entry.details == {
        "created": True,
        "is_staff": [None, True],
        "is_superuser": [None, True],
    }


def test_a_change_made_during_a_request_names_its_user_and_address():
    admin_user = make_user(staff=True, superuser=True)
    target = make_user(staff=True)
    editors = Group.objects.get(name="Editor")
    target.groups.add(editors)
    request = RequestFactory().post("/admin/auth/user/", **PROXIED)
    request.user = admin_user

    def view(request):
        target.groups.remove(editors)
        return HttpResponse()

    AuditContextMiddleware(view)(request)
    entry = AuditEntry.objects.filter(action=Action.GROUPS_CHANGED).latest("pk")
    assert entry.details == {"removed": ["Editor"]}
    assert entry.actor == admin_user and entry.address == CLIENT_ADDRESS
    assert entry.via == AuditEntry.Via.WEB
    # Once the request is answered, changes name no request any more.
    target.groups.add(editors)
    entry = AuditEntry.objects.filter(action=Action.GROUPS_CHANGED).latest("pk")
    assert entry.actor is None and entry.via == AuditEntry.Via.COMMAND
