from django.contrib import admin

from articles.models import Author


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "user"]
    list_select_related = ["user"]
    # Also what the bylines inline's author autocomplete searches.
    search_fields = ["name", "job_title"]
    prepopulated_fields = {"slug": ["name"]}
