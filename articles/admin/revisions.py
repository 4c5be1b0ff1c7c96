"""The story admin's revision and sharing screens: history, diff, restore;
share links to a story's preview, made, listed and revoked.

A mixin of ``ArticleAdmin``, behind the same object-level checks as its
change form: ``get_object()`` narrows to the stories the user may see.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from articles import preview, revisions, services, workflow
from articles.models import ArticleRevision, PreviewLink


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
            path(
                "<path:object_id>/share/",
                wrap(self.share_view),
                name="articles_article_share",
            ),
            path(
                "<path:object_id>/share/revoke/",
                wrap(self.share_revoke_view),
                name="articles_article_share_revoke",
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

    def _shareable_story(self, request, object_id):
        """Sharing a preview, or ending a share, needs the right to edit it."""
        obj = self._visible_story(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def share_view(self, request, object_id):
        """Template admin/articles/article/share.html: the story's active share
        links with their expiry, a button to make one, one to revoke each."""
        obj = self._shareable_story(request, object_id)
        if request.method == "POST":
            days = request.POST.get("days", "")
            if not days.isdigit() or int(days) not in preview.SHARE_DAYS:
                return HttpResponseBadRequest(
                    gettext("Choose how long the link lasts.")
                )
            link = preview.share(obj, request.user, days=int(days))
            self.log_change(request, obj, f"Shared a preview link ({link.pk}).")
            self.message_user(
                request,
                gettext(
                    "A share link to “%(story)s” was made; it works until "
                    "%(when)s, or until you revoke it."
                )
                % {"story": obj, "when": _when(link.expires_at)},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_share", args=[obj.pk])
            )
        links = [
            (link, request.build_absolute_uri(preview.share_url(link)))
            for link in PreviewLink.objects.active()
            .filter(article=obj)
            .select_related("created_by")
        ]
        context = self._revision_context(
            request,
            obj,
            title=gettext("Share a preview of “%(story)s”") % {"story": obj},
            links=links,
            share_days=preview.SHARE_DAYS,
        )
        return TemplateResponse(request, "admin/articles/article/share.html", context)

    @method_decorator(require_POST)
    def share_revoke_view(self, request, object_id):
        """Revoke one share link (``link``) or every active one of the story."""
        obj = self._shareable_story(request, object_id)
        links = PreviewLink.objects.active().filter(article=obj)
        link_id = request.POST.get("link", "")
        if link_id:
            if not link_id.isdigit():
                return HttpResponseBadRequest(gettext("No such link."))
            links = links.filter(pk=int(link_id))
        count = links.update(revoked_at=timezone.now())
        if count:
            self.log_change(request, obj, f"Revoked {count} share link(s).")
            self.message_user(
                request,
                ngettext(
                    "%(count)s share link to “%(story)s” was revoked: it opens "
                    "nothing now.",
                    "%(count)s share links to “%(story)s” were revoked: they open "
                    "nothing now.",
                    count,
                )
                % {"count": count, "story": obj},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                gettext("No active share link was left to revoke."),
                messages.INFO,
            )
        name = "change" if request.POST.get("next") == "change" else "share"
        return HttpResponseRedirect(
            reverse(f"admin:articles_article_{name}", args=[obj.pk])
        )

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
            request,
            obj,
            title=gettext("Revisions of “%(story)s”") % {"story": obj},
            revisions=rows,
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
            title=gettext("Changes to “%(story)s”") % {"story": obj},
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
        changes = [
            change
            for change in revisions.diff(revisions.snapshot(obj), revision.data)
            if change["key"] in revisions.RESTORABLE
        ]
        if request.method == "POST":
            title = str(obj)
            services.restore_revision(obj, revision, by=request.user)
            self.log_change(request, obj, f"Restored revision {revision.pk}.")
            self.message_user(
                request,
                revisions.restore_message(title, revision, changes),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[obj.pk])
            )
        context = self._revision_context(
            request,
            obj,
            title=gettext("Restore “%(story)s”?") % {"story": obj},
            revision=revision,
            changes=changes,
        )
        return TemplateResponse(
            request, "admin/articles/article/revision_restore.html", context
        )


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
