"""The audit log's one screen: editors list, filter and search it; nobody
adds, changes or deletes an entry here (superusers included)."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit import links
from audit.models import AuditEntry


class AuditChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # The objects' links for the whole page at once.
        links.attach(self.result_list, self.model_admin.admin_site, request)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("when", "action", "who", "object_type", "object_link", "address")
    list_filter = (
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "via",
    )
    date_hierarchy = "when"
    search_fields = ("actor_name", "object_repr", "object_id", "address")
    list_select_related = ("actor", "content_type")
    list_per_page = 100
    empty_value_display = "—"
    # No bulk delete (nor any other action).
    actions = None
    fields = (
        "when",
        "action",
        "who",
        "object_type",
        "object_link",
        "address",
        "via",
        "what_changed",
    )
    readonly_fields = fields

    def get_changelist(self, request, **kwargs):
        return AuditChangeList

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("who"), ordering="actor_name")
    def who(self, obj):
        return obj.actor_name or "—"

    @admin.display(description=_("object type"))
    def object_type(self, obj):
        return obj.content_type.name if obj.content_type_id else "—"

    @admin.display(description=_("object"))
    def object_link(self, obj):
        if getattr(obj, "admin_url", None):
            return format_html('<a href="{}">{}</a>', obj.admin_url, obj.object_repr)
        return obj.object_repr or "—"

    @admin.display(description=_("details"))
    def what_changed(self, obj):
        if not obj.details:
            return "—"
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                (
                    (
                        key,
                        ", ".join(map(str, value))
                        if isinstance(value, list)
                        else value,
                    )
                    for key, value in sorted(obj.details.items())
                ),
            ),
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:  # the read-only page's link to the object
            links.attach([obj], self.admin_site, request)
        return obj
