"""The user admin, with "Invite a colleague" and roles that bring staff status.

Django's ``UserAdmin``, re-registered: putting someone in a role group (Reporter,
Editor, Moderator) ticks "Staff status" too, since without it the desk's login
refuses them with a misleading "wrong user name or password".
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext

from people.roles import holds_a_role

User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class PeopleUserAdmin(UserAdmin):
    change_list_template = "admin/people/user_change_list.html"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not user.is_staff and holds_a_role(user):
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            self.message_user(
                request,
                gettext(
                    "%(user)s holds a role, so “Staff status” was ticked: they "
                    "can sign in to the desk."
                )
                % {"user": user.get_username()},
                messages.INFO,
            )
