"""The tag admin: taggit's, narrowed to what each user may know of.

Reporters (``view_tag`` only) see the tags of their own stories and of live
ones; a tag used only on someone else's draft or a scheduled story stays
unknown to them. Editors see every tag.

Taggit's "merge tags" action and its ``merge-tags/`` page are left out: they
check no permission beyond staff status, and they move only taggit's generic
``TaggedItem`` rows, not our ``TaggedArticle``, so they cannot merge our tags.
"""

from django.contrib import admin
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from articles import workflow
from articles.models import Article, TaggedArticle


class TagAdmin(TaggitTagAdmin):
    inlines = []
    actions = []

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if workflow.can_publish(request.user):
            return queryset
        known = workflow.known_stories(request.user, Article.objects.all())
        used = TaggedArticle.objects.filter(content_object__in=known.values("pk"))
        return queryset.filter(pk__in=used.values("tag_id"))


admin.site.unregister(Tag)
admin.site.register(Tag, TagAdmin)
