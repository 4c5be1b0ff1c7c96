"""The story admin's revision screens: history, diff, restore.

A mixin of ``ArticleAdmin``, behind the same object-level checks as its
change form: ``get_object()`` narrows to the stories the user may see.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles import revisions, services, workflow
from articles.models import ArticleRevision


class StoryRevisionsMixin:
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/revisions/",
                wrap(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                wrap(self.revision_diff_view),
                name="articles_article_revision",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                wrap(self.revision_restore_view),
                name="articles_article_revision_restore",
            ),
            *super().get_urls(),
        ]

    def _visible_story(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such story.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _may_restore(self, request, obj):
        return workflow.can_publish(request.user) and self.has_change_permission(
            request, obj
        )

    def _revision_context(self, request, obj, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "may_restore": self._may_restore(request, obj),
            **extra,
        }

    def revisions_view(self, request, object_id):
        """Template admin/articles/article/revisions.html: who, when, what."""
        obj = self._visible_story(request, object_id)
        rows = list(
            ArticleRevision.objects.filter(article=obj)
            .select_related("created_by")
            .defer("data")
            .order_by("-created_at", "-pk")
        )
        context = self._revision_context(
            request, obj, title=f"Revisions of “{obj}”", revisions=rows
        )
        return TemplateResponse(
            request, "admin/articles/article/revisions.html", context
        )

    def revision_diff_view(self, request, object_id, revision_id):
        """Template admin/articles/article/revision_diff.html.

        Compares a revision with ``?against=<id>`` (another revision of the
        same story), by default the one before it.
        """
        obj = self._visible_story(request, object_id)
        revision = get_object_or_404(
            ArticleRevision.objects.select_related("created_by"),
            pk=revision_id,
            article=obj,
        )
        story_revisions = ArticleRevision.objects.filter(article=obj)
        against_id = request.GET.get("against", "")
        if against_id.isdigit():
            against = get_object_or_404(story_revisions, pk=int(against_id))
        else:
            against = (
                story_revisions.filter(
                    Q(created_at__lt=revision.created_at)
                    | Q(created_at=revision.created_at, pk__lt=revision.pk)
                )
                .order_by("-created_at", "-pk")
                .first()
            )
        old, new = (against, revision)
        if against is not None and (against.created_at, against.pk) > (
            revision.created_at,
            revision.pk,
        ):
            old, new = revision, against
        changes = revisions.diff(old.data if old else {}, new.data)
        context = self._revision_context(
            request,
            obj,
            title=f"Changes to “{obj}”",
            old=old,
            new=new,
            changes=changes,
        )
        return TemplateResponse(
            request, "admin/articles/article/revision_diff.html", context
        )

    def revision_restore_view(self, request, object_id, revision_id):
        """Template admin/articles/article/revision_restore.html (confirm)."""
        obj = self._visible_story(request, object_id)
        if not self._may_restore(request, obj):
            raise PermissionDenied
        revision = get_object_or_404(ArticleRevision, pk=revision_id, article=obj)
        if request.method == "POST":
            title = str(obj)
            services.restore_revision(obj, revision, by=request.user)
            self.log_change(request, obj, f"Restored revision {revision.pk}.")
            when = date_format(
                timezone.localtime(revision.created_at), "DATETIME_FORMAT"
            )
            self.message_user(
                request,
                f"“{title}” was restored to the version of {when}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[obj.pk])
            )
        changes = revisions.diff(revisions.snapshot(obj), revision.data)
        context = self._revision_context(
            request,
            obj,
            title=f"Restore “{obj}”?",
            revision=revision,
            changes=changes,
        )
        return TemplateResponse(
            request, "admin/articles/article/revision_restore.html", context
        )
