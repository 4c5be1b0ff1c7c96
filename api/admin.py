"""Partners' keys in the admin: made here, shown once, revoked by a tick.

The secret is never stored, only its hash (``api.keys``): the whole key is
shown in a message right after the key is added (or re-issued with the
action), and cannot be seen again.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from api import keys
from api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "rate_limit",
        "is_active",
        "expires_at",
        "last_used_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "contact", "prefix"]
    fields = [
        "name",
        "contact",
        "rate_limit",
        "is_active",
        "expires_at",
        "prefix",
        "created_at",
        "last_used_at",
    ]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke", "reissue"]

    def save_model(self, request, obj, form, change):
        whole = None if change else keys.issue(obj)
        super().save_model(request, obj, form, change)
        if whole is not None:
            self._show_once(request, obj, whole)

    def _show_once(self, request, key, whole):
        messages.warning(
            request,
            gettext(
                "Copy the key for %(name)s now; it is not stored and will not "
                "be shown again: %(key)s"
            )
            % {"name": key.name, "key": whole},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        # One save each, not one UPDATE: each revocation is heard (the audit log).
        count = 0
        for key in queryset.filter(is_active=True):
            key.is_active = False
            key.save(update_fields=["is_active"])
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Issue a new secret for the selected keys"))
    def reissue(self, request, queryset):
        for key in queryset:
            whole = keys.issue(key)
            key.save(update_fields=["prefix", "secret_hash"])
            self._show_once(request, key, whole)
