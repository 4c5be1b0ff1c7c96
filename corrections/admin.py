"""The desk's notes: editors add and change them, reporters read them.

Only stories the user may know of (``articles.workflow.known_stories``) are
listed. Each edit leaves a revision (``Correction.save(by=...)``), shown
read-only under the note; deleting is ``corrections.delete_correction``.
The story screen has no "add a note" link: its object tools belong to
``articles``, which knows nothing of this app.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles import workflow
from articles.models import Article
from corrections.models import Correction, CorrectionRevision


def known_stories(request):
    return workflow.known_stories(request.user, Article.objects.all())


class RevisionInline(admin.TabularInline):
    model = CorrectionRevision
    fields = ("changed_at", "changed_by", "kind", "placement", "published_at", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("earlier version")
    verbose_name_plural = _("Earlier versions (kept on every edit)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ("story", "kind", "placement", "published_at", "created_by")
    list_filter = ("kind", "placement")
    list_select_related = ("story", "created_by")
    search_fields = ("text", "story__headline")
    date_hierarchy = "published_at"
    autocomplete_fields = ("story",)
    fields = ("story", "kind", "text", "placement", "published_at")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = (RevisionInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(story__in=known_stories(request).values("pk"))
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (*self.fields, "created_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A note stays on its story: moving it would hide the old one.
        return ("story", *self.readonly_fields)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "story":
            kwargs["queryset"] = known_stories(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.save(by=request.user)
