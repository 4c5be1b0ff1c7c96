"""Editors' screens: stories with their bylines and tags, sections, authors."""

from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import F, Prefetch, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from articles import tracking
from articles.models import Article, Author, Byline, Section


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    fields = ["author", "role", "order"]
    ordering = ["order", "pk"]
    autocomplete_fields = ["author"]


class AuthorListFilter(admin.SimpleListFilter):
    """Stories by one person, whatever their role in the byline."""

    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        return list(Author.objects.values_list("pk", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(
            pk__in=Byline.objects.filter(author_id=int(value)).values("article_id")
        )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "headline",
        "section",
        "status",
        "published_at",
        "byline_names",
        "is_top_story",
        "views_total",
        "views_week",
    ]
    list_select_related = ["section"]
    list_filter = [
        "status",
        "section",
        "tags",
        AuthorListFilter,
        "is_top_story",
    ]
    search_fields = ["headline", "dek", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline]
    readonly_fields = ["views_per_day"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "body"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        ("Filing", {"fields": ["section", "tags"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "is_top_story",
                    "comments_enabled",
                ]
            },
        ),
        ("Readers", {"fields": ["views_per_day"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # The byline column reads prefetched rows: no query per story.
        bylines = Byline.objects.select_related("author").order_by("order", "pk")
        # View counts are annotations (articles.tracking): sortable, no N+1.
        return tracking.with_view_counts(
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=bylines))
        )

    @admin.display(description="bylines")
    def byline_names(self, article):
        return ", ".join(byline.author.name for byline in article.bylines.all())

    @admin.display(description="views", ordering="total_views")
    def views_total(self, article):
        return intcomma(article.total_views)

    @admin.display(description="views, 7 days", ordering="views_7d")
    def views_week(self, article):
        return intcomma(article.views_7d)

    @admin.display(description="views per day, last 30 days")
    def views_per_day(self, article):
        if article.pk is None:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            (
                (date_format(day, "D j M Y"), intcomma(count))
                for day, count in tracking.daily_views(article, 30)
            ),
        )
        return format_html(
            "<table><thead><tr><th>Day</th><th>Views</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    @admin.action(description="Publish the selected stories", permissions=["change"])
    def publish(self, request, queryset):
        """One UPDATE; stories that already have a publication time keep it."""
        now = timezone.now()
        count = queryset.update(
            status=Article.Status.PUBLISHED,
            published_at=Coalesce(F("published_at"), Value(now)),
            updated_at=now,
        )
        self.message_user(
            request,
            ngettext("%d story published.", "%d stories published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description="Unpublish the selected stories (back to draft)",
        permissions=["change"],
    )
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT, updated_at=timezone.now())
        message = ngettext(
            "%d story moved back to draft.", "%d stories moved back to draft.", count
        )
        self.message_user(request, message % count, messages.SUCCESS)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "job_title"]
    prepopulated_fields = {"slug": ["name"]}
