"""View counts on the editors' story screens.

The story list gains sortable "views" and "views, 7 days" columns and the
change form a table of the last 30 days. ``articles`` knows nothing of view
counts: this app registers its own subclass of the story admin in place of the
plain one (``viewcounts`` comes after ``articles`` in ``INSTALLED_APPS``, so its
admin module is imported later).
"""

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from articles.admin.stories import ArticleAdmin
from articles.models import Article
from viewcounts import stats


class ArticleAdminWithViewCounts(ArticleAdmin):
    list_display = [*ArticleAdmin.list_display, "views_total", "views_week"]
    readonly_fields = [*ArticleAdmin.readonly_fields, "views_per_day"]
    fieldsets = [
        *ArticleAdmin.fieldsets,
        (_("Readers"), {"fields": ["views_per_day"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # Annotations: sortable columns, no query per row.
        return stats.with_view_counts(super().get_queryset(request))

    @admin.display(description=_("views"), ordering="total_views")
    def views_total(self, article):
        return intcomma(article.total_views)

    @admin.display(description=_("views, 7 days"), ordering="views_7d")
    def views_week(self, article):
        return intcomma(article.views_7d)

    @admin.display(description=_("views per day, last 30 days"))
    def views_per_day(self, article):
        if article.pk is None:
            return "-"
        # The day as the desk reads it: "Wed 2 Dec 2026"; translated as a format.
        day_format = pgettext("a day in the table of daily views", "D j M Y")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            (
                (date_format(day, day_format), intcomma(count))
                for day, count in stats.daily_views(article, 30)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("Day"),
            gettext("Views"),
            rows,
        )


admin.site.unregister(Article)
admin.site.register(Article, ArticleAdminWithViewCounts)
