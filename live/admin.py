"""The live desk: editors mark stories live and end their coverage;
editors and the reporters on a story post updates to it.

Posting is one short form: the coverage comes from the address
(``?coverage=<id>``, the "Post an update" link on the coverage screen and in
the coverage list), the text field has the focus, the author is the writer's
own byline, the time is when it is saved, and "Save and add another" returns
to a fresh form for the same story.
Only stories the user may know of are listed (``articles.workflow``); who may
post on, edit or delete which update is ``live.permissions``.
"""

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import workflow
from articles.models import Article, Author
from live import permissions, services
from live.models import LiveCoverage, LiveUpdate

RECENT_ON_DESK = 10


class PictureWidget(AdminFileWidget):
    # A <label for> on the file input itself (inside a <fieldset> it has
    # only the legend, which leaves the input without a name for axe).
    use_fieldset = False


def known_stories(request):
    return workflow.known_stories(request.user, Article.objects.all())


@admin.register(LiveCoverage)
class LiveCoverageAdmin(admin.ModelAdmin):
    list_display = ("story", "started_at", "ended_at", "update_count", "post_link")
    list_filter = (("ended_at", admin.EmptyFieldListFilter),)
    list_select_related = ("story",)
    search_fields = ("story__headline",)
    autocomplete_fields = ("story",)
    fields = ("story", "summary", "started_at", "ended_at")
    actions = ("end_coverage",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(story__in=known_stories(request).values("pk"))
            .annotate(update_count=Count("updates"))
            # Meta.ordering is not applied to a grouped query.
            .order_by("-started_at", "-pk")
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (*self.fields, "desk")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("story", "desk")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "story":
            kwargs["queryset"] = known_stories(request).filter(
                live_coverage__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("updates"), ordering="update_count")
    def update_count(self, obj):
        return obj.update_count

    @admin.display(description="")
    def post_link(self, obj):
        if obj.is_ended:
            return gettext("ended")
        url = reverse("admin:live_liveupdate_add") + f"?coverage={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Post an update"))

    @admin.display(description=_("Updates"))
    def desk(self, obj):
        updates = obj.updates.newest_first().select_related("author")[:RECENT_ON_DESK]
        listed = format_html_join(
            "",
            '<li><a href="{}">{}</a> {}</li>',
            (
                (
                    reverse("admin:live_liveupdate_change", args=[u.pk]),
                    u.published_at.strftime("%H:%M"),
                    Truncator(u.title).chars(80),
                )
                for u in updates
            ),
        )
        all_url = reverse("admin:live_liveupdate_changelist") + (
            f"?coverage__id__exact={obj.pk}"
        )
        return format_html(
            '{}<ul class="live-desk">{}</ul><a href="{}">{}</a>',
            self.post_link(obj),
            listed,
            all_url,
            gettext("All updates"),
        )

    def save_model(self, request, obj, form, change):
        services.save_coverage(obj, by=request.user)

    @admin.action(description=_("End the coverage of the selected stories"))
    def end_coverage(self, request, queryset):
        ended = 0
        for coverage in queryset.filter(ended_at__isnull=True):
            services.end_coverage(coverage, by=request.user)
            ended += 1
        self.message_user(
            request,
            gettext("Coverage ended: %(count)d.") % {"count": ended},
            messages.SUCCESS,
        )


@admin.register(LiveUpdate)
class LiveUpdateAdmin(admin.ModelAdmin):
    list_display = ("published_at", "title", "story", "author", "pinned")
    list_display_links = ("published_at", "title")
    list_filter = ("pinned",)
    list_select_related = ("coverage__story", "author")
    search_fields = ("headline", "text", "coverage__story__headline")
    date_hierarchy = "published_at"
    fields = (
        "coverage",
        "text",
        "headline",
        "pinned",
        "author",
        "picture",
        "picture_alt",
        "picture_caption",
        "published_at",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(coverage__story__in=known_stories(request).values("pk"))
        )

    def lookup_allowed(self, lookup, value, request=None):
        # The coverage screen's "All updates" link.
        return lookup == "coverage__id__exact" or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description=_("story"), ordering="coverage__story__headline")
    def story(self, obj):
        return obj.coverage.story.headline

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return permissions.may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return permissions.may_delete(request.user, obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            # The text first (the admin focuses the first field), the story
            # below it, usually chosen already; dated when posted, not when
            # the form was opened.
            return ("text", "headline", "pinned", "coverage", *self.fields[4:-1])
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("coverage",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            # Start typing (without the admin's script too).
            form.base_fields["text"].widget.attrs["autofocus"] = True
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "picture":
            kwargs["widget"] = PictureWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "coverage":
            kwargs["queryset"] = permissions.coverages_to_post_on(
                request.user
            ).select_related("story")
        if db_field.name == "author":
            kwargs["queryset"] = Author.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        author = services.author_of(request.user)
        if author is not None:
            initial.setdefault("author", author.pk)
        return initial

    def save_model(self, request, obj, form, change):
        services.save_update(obj, by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST:
            self.message_user(
                request,
                gettext("Posted: “%(title)s”.") % {"title": obj.title},
                messages.SUCCESS,
            )
            url = reverse("admin:live_liveupdate_add") + f"?coverage={obj.coverage_id}"
            return HttpResponseRedirect(url)
        return super().response_add(request, obj, post_url_continue)
