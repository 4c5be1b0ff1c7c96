"""Inviting a colleague: an account with a role and staff status, no password
yet, and an e-mail with the one-time link to set one."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from people.roles import role_label
from people.tokens import invitation_token


def set_password_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("people:set_password", args=[uid, invitation_token.make_token(user)])


def invite(*, email, username, role, invited_by, absolute_uri, first_name="",
           last_name=""):  # fmt: skip
    """Create the account in ``role`` (a Group) and e-mail the link.

    ``absolute_uri`` turns a path into a full address (the request's
    ``build_absolute_uri``). The account and the mail go together: a failed
    send leaves no account behind.
    """
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=True,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(role)
        context = {
            "user": user,
            "role": role_label(role.name),
            "invited_by": invited_by,
            "link": absolute_uri(set_password_path(user)),
            "login": absolute_uri(reverse("admin:login")),
        }
        send_mail(
            render_to_string("people/invitation_subject.txt", context).strip(),
            render_to_string("people/invitation_email.txt", context),
            None,
            [email],
        )
    return user
