"""The story list's own filters: by byline and by workflow state."""

from django.contrib import admin
from django.utils import timezone

from articles.models import Article, Author


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
        return queryset.by_author(int(value))


class WorkflowStateFilter(admin.SimpleListFilter):
    """Draft, in review, scheduled (published, time to come) or live."""

    title = "workflow state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("published", "Published (live)"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "review":
                return queryset.filter(status=Article.Status.REVIEW)
            case "scheduled":
                return queryset.scheduled(now)
            case "published":
                return queryset.published(now)
        return queryset
