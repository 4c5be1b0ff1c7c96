"""Inviting a colleague: one form, a role, staff status, an e-mailed link."""

import re
import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from articles.roles import ensure_roles
from comments.roles import ensure_moderator_group
from people import invitations
from people.invitations import set_password_path
from tests.factories import make_user

INVITE = "/admin/people/invite/"
User = get_user_model()


@pytest.fixture
def admin_client(db):
    ensure_roles()
    ensure_moderator_group()
    client = Client()
    client.force_login(make_user(superuser=True, staff=True, first_name="Ada"))
    return client


def invite_data(**overrides):
    data = {
        "email": "sam@example.org",
        "first_name": "Sam",
        "last_name": "Reporter",
        "username": "sam",
        "role": "Reporter",
    }
    data.update(overrides)
    return data


def link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_inviting_makes_a_staff_account_in_the_role_and_mails_a_link(admin_client):
    response = admin_client.post(INVITE, invite_data())

    sam = User.objects.get(username="sam")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:auth_user_change", args=[sam.pk])
    assert sam.is_staff and sam.is_active and not sam.is_superuser
    assert not sam.has_usable_password()
    assert [g.name for g in sam.groups.all()] == ["Reporter"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.org"]
    assert message.subject == "You are invited to the newsroom's desk as Reporter"
    assert link_in(message).startswith("/admin/people/set-password/")
    assert "with the user name sam" in message.body


def test_the_link_sets_a_password_once_and_the_colleague_can_sign_in(admin_client):
    admin_client.post(INVITE, invite_data(role="Editor"))
    link = link_in(mail.outbox[0])
    visitor = Client()

    # Django's confirm view swaps the token for a session key, then shows the form.
    response = visitor.get(link, follow=True)
    assert response.status_code == 200
    assert b"Choose your password" in response.content
    form_url = response.redirect_chain[-1][0]
    response = visitor.post(
        form_url,
        {
            "new_password1": "a long harbour wall",
            "new_password2": "a long harbour wall",
        },
    )
    assert response["Location"] == reverse("people:set_password_done")

    signed_in = Client()
    assert signed_in.login(username="sam", password="a long harbour wall")
    assert signed_in.get(reverse("admin:index")).status_code == 200
    # Used once: the link no longer works.
    again = Client().get(link, follow=True)
    assert b"This link no longer works" in again.content


def test_a_link_for_one_account_never_opens_another(admin_client):
    admin_client.post(INVITE, invite_data())
    other = make_user(staff=True)
    sam_link = link_in(mail.outbox[0])
    uid = re.search(r"set-password/([^/]+)/", set_password_path(other)).group(1)
    token = sam_link.rstrip("/").rsplit("/", 1)[1]

    response = Client().get(
        reverse("people:set_password", args=[uid, token]), follow=True
    )

    assert b"This link no longer works" in response.content


def test_a_password_reset_token_is_no_invitation(admin_client):
    from django.contrib.auth.tokens import default_token_generator

    admin_client.post(INVITE, invite_data())
    sam = User.objects.get(username="sam")
    uid = re.search(r"set-password/([^/]+)/", set_password_path(sam)).group(1)
    token = default_token_generator.make_token(sam)

    response = Client().get(
        reverse("people:set_password", args=[uid, token]), follow=True
    )

    assert b"This link no longer works" in response.content


def test_the_form_keeps_what_was_typed_and_shows_errors_by_the_fields(admin_client):
    make_user(username="taken", email="taken@example.org")

    response = admin_client.post(
        INVITE,
        invite_data(email="TAKEN@example.org", username="Taken", role="Janitor"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["email"] == ["Someone with this address has an account."]
    assert errors["username"] == ["This user name is taken."]
    assert "role" in errors
    assert b'value="Sam"' in response.content
    assert not mail.outbox
    assert not User.objects.filter(username="sam").exists()


def test_the_roles_offered_are_the_newsrooms_groups(admin_client):
    response = admin_client.get(INVITE)

    choices = [value for value, _ in response.context["form"].fields["role"].choices]
    assert choices == ["Reporter", "Editor", "Moderator"]
    assert all(Group.objects.filter(name=name).exists() for name in choices)


def test_only_those_who_may_add_users_can_invite(db):
    ensure_roles()
    editor = make_user(staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(editor)

    assert client.get(INVITE).status_code == 403
    assert client.post(INVITE, invite_data()).status_code == 403
    assert Client().get(INVITE).status_code == 302  # to the login
    assert not mail.outbox


def test_adding_users_alone_is_not_enough_to_invite_into_a_role(db):
    """An invitation sets a role, as a change of the user would: Django's
    user admin asks for both rights, and so does the invitation."""
    ensure_roles()
    clerk = make_user(staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="add_user"))
    client = Client()
    client.force_login(clerk)
    assert client.post(INVITE, invite_data(role="Editor")).status_code == 403
    assert not User.objects.filter(username="sam").exists()


def test_a_mail_server_that_refuses_leaves_no_account_and_says_so(
    admin_client, monkeypatch
):
    monkeypatch.setattr(invitations, "send_mail", refusing_send_mail)
    response = admin_client.post(INVITE, invite_data())
    assert response.status_code == 200
    assert b"could not be sent" in response.content
    assert b'value="sam@example.org"' in response.content  # kept
    assert not User.objects.filter(username="sam").exists()


def refusing_send_mail(*args, **kwargs):
    raise smtplib.SMTPServerDisconnected("the server went away")


def test_putting_someone_in_a_role_in_the_user_admin_ticks_staff_status(
    admin_client,
):
    ensure_roles()
    user = make_user(username="kim")
    reporter = Group.objects.get(name="Reporter")
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = {
        "username": "kim",
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "groups": [str(reporter.pk)],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
        "usable_password": "true",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.is_staff
    assert user.groups.get() == reporter


def test_the_user_list_offers_the_invitation(admin_client):
    response = admin_client.get(reverse("admin:auth_user_changelist"))
    assert INVITE.encode() in response.content
