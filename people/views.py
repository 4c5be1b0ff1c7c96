import logging
import smtplib

from django.contrib import admin, messages
from django.contrib.auth.views import (
    PasswordResetCompleteView,
    PasswordResetConfirmView,
)
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext

from people.forms import InviteForm
from people.invitations import invite
from people.roles import role_label
from people.tokens import invitation_token

logger = logging.getLogger(__name__)
INVITER_PERMISSIONS = ("auth.add_user", "auth.change_user", "auth.change_group")


def invite_view(request):
    """Template admin/people/invite.html: invite a colleague with a role.

    Only for those who may add and change users and change groups (as
    Django's user admin asks: changing a user sets their groups), that is,
    administrators.
    """
    if not request.user.has_perms(INVITER_PERMISSIONS):
        raise PermissionDenied
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = invite(
                email=data["email"],
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                invited_by=request.user,
                absolute_uri=request.build_absolute_uri,
            )
        except (smtplib.SMTPException, OSError):
            logger.exception("Could not send the invitation to %s", data["email"])
            form.add_error(
                "email",
                gettext(
                    "The invitation could not be sent: the mail server did not "
                    "take it. Nobody was invited; try again in a few minutes."
                ),
            )
        else:
            messages.success(
                request,
                gettext(
                    "%(user)s was invited as %(role)s: a link to set a password "
                    "was sent to %(email)s."
                )
                % {
                    "user": user.get_username(),
                    "role": role_label(data["role"].name),
                    "email": user.email,
                },
            )
            return redirect("admin:auth_user_change", user.pk)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Invite a colleague"),
        "form": form,
    }
    return render(request, "admin/people/invite.html", context)


class DeskPageMixin:
    """The desk's header (site name, colours) on pages for the signed-out."""

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            **super().get_context_data(**kwargs),
        }


class SetPasswordView(DeskPageMixin, PasswordResetConfirmView):
    """Django's reset-confirm view for the invitation link (own token salt).

    Template: registration/password_set_confirm.html.
    """

    token_generator = invitation_token
    template_name = "registration/password_set_confirm.html"
    success_url = reverse_lazy("people:set_password_done")
    reset_url_token = "set-password"


class SetPasswordDoneView(DeskPageMixin, PasswordResetCompleteView):
    template_name = "registration/password_set_complete.html"
