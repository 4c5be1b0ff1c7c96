"""The desk's newsletter screens: compose an issue from stories, preview it
(HTML and plain text), send a test to yourself, send it; a breaking-news
alert from a published story; subscribers, with export and erasure for data
requests."""

import csv
import datetime
import io
import json
import zipfile

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles.models import Article
from newsletters import sending, subscriptions, tasks
from newsletters.models import Issue, IssueStory, Subscriber, Subscription

SEND_PERMISSION = "newsletters.send_issue"
# Stories an editor may put in an issue: published in the last fortnight.
STORY_WINDOW = datetime.timedelta(days=14)


def recent_stories():
    return (
        Article.objects.published()
        .filter(published_at__gte=timezone.now() - STORY_WINDOW)
        .select_related("section")
        .order_by("-published_at")
    )


class StoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        when = timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M")
        return f"{obj.headline} ({obj.section.name}, {when})"


class IssueForm(forms.ModelForm):
    stories = StoryChoiceField(
        label=_("Stories"),
        queryset=Article.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Published in the last two weeks; shown newest first."),
    )

    class Meta:
        model = Issue
        fields = ["kind", "subject", "intro", "stories"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = []
        if self.instance.pk:
            chosen = list(self.instance.places.values_list("article_id", flat=True))
        self.fields["stories"].queryset = (
            recent_stories() | Article.objects.published().filter(pk__in=chosen)
        ).distinct()
        self.fields["kind"].choices = [
            (Issue.Kind.DIGEST, Issue.Kind.DIGEST.label),
            (Issue.Kind.BREAKING, Issue.Kind.BREAKING.label),
        ]
        if chosen:
            self.initial["stories"] = chosen


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    form = IssueForm
    list_display = ["subject", "kind", "status", "automatic", "created_at", "sent_at"]
    list_filter = ["kind", "status", "automatic"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    change_form_template = "admin/newsletters/issue/change_form.html"

    def has_change_permission(self, request, obj=None):
        # A sent (or sending) issue is a record: read, never rewritten.
        if obj is not None and obj.status != Issue.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        issue = form.instance
        IssueStory.objects.filter(issue=issue).delete()
        stories = sorted(
            form.cleaned_data["stories"], key=lambda s: s.published_at, reverse=True
        )
        IssueStory.objects.bulk_create(
            [
                IssueStory(issue=issue, article=story, position=position)
                for position, story in enumerate(stories)
            ]
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/",
                view(self.preview_view),
                name="newsletters_issue_preview",
            ),
            path(
                "<int:pk>/preview.txt",
                view(self.preview_text_view),
                name="newsletters_issue_preview_text",
            ),
            path(
                "<int:pk>/send-test/",
                view(require_POST(self.send_test_view)),
                name="newsletters_issue_send_test",
            ),
            path(
                "<int:pk>/send/",
                view(self.send_view),
                name="newsletters_issue_send",
            ),
            path("alert/", view(self.alert_view), name="newsletters_issue_alert"),
            *super().get_urls(),
        ]

    def _issue(self, request, pk) -> Issue:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Issue, pk=pk)

    def _sender(self, request) -> None:
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied

    def preview_view(self, request, pk):
        """The HTML e-mail as a reader's client gets it (a test copy's links)."""
        _text, html = sending.preview(self._issue(request, pk))
        return HttpResponse(html)

    def preview_text_view(self, request, pk):
        text, _html = sending.preview(self._issue(request, pk))
        return HttpResponse(text, content_type="text/plain; charset=utf-8")

    def send_test_view(self, request, pk):
        issue = self._issue(request, pk)
        self._sender(request)
        change_url = reverse("admin:newsletters_issue_change", args=[pk])
        if not request.user.email:
            self.message_user(
                request,
                gettext("Your account has no e-mail address to send the test to."),
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        sending.send_test(issue, request.user.email)
        self.message_user(
            request,
            gettext("A test copy went to %(email)s.") % {"email": request.user.email},
        )
        return HttpResponseRedirect(change_url)

    def send_view(self, request, pk):
        """GET: how many will get it, and the button; POST: send."""
        issue = self._issue(request, pk)
        self._sender(request)
        if issue.status != Issue.Status.DRAFT:
            self.message_user(
                request, gettext("This issue has been sent already."), messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:newsletters_issue_changelist"))
        if request.method == "POST":
            count = tasks.send_issue(issue)
            self.message_user(
                request,
                ngettext(
                    "“%(subject)s” is on its way to %(count)d subscriber.",
                    "“%(subject)s” is on its way to %(count)d subscribers.",
                    count,
                )
                % {"subject": issue.subject, "count": count},
            )
            return HttpResponseRedirect(reverse("admin:newsletters_issue_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "issue": issue,
            "recipients": sending.audience(issue).count(),
            "title": gettext("Send “%(subject)s”") % {"subject": issue.subject},
        }
        return TemplateResponse(request, "admin/newsletters/issue/send.html", context)

    def alert_view(self, request):
        """Breaking-news alert: pick a story published in the last two days
        and send it to alert subscribers at once."""
        self._sender(request)
        stories = recent_stories().filter(
            published_at__gte=timezone.now() - datetime.timedelta(days=2)
        )
        if request.method == "POST":
            story = get_object_or_404(stories, pk=request.POST.get("story", "0"))
            issue = sending.make_issue(
                Issue.Kind.BREAKING,
                [story],
                subject=(
                    gettext("Breaking: %(headline)s") % {"headline": story.headline}
                )[:200],
                by=request.user,
            )
            count = tasks.send_issue(issue)
            self.message_user(
                request,
                ngettext(
                    "The alert is on its way to %(count)d subscriber.",
                    "The alert is on its way to %(count)d subscribers.",
                    count,
                )
                % {"count": count},
            )
            return HttpResponseRedirect(reverse("admin:newsletters_issue_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "stories": stories[:50],
            "title": gettext("Send a breaking-news alert"),
        }
        return TemplateResponse(request, "admin/newsletters/issue/alert.html", context)


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    fields = [
        "topic",
        "kind",
        "status",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Export the selected subscribers' data (JSON and CSV)"))
def export_data(modeladmin, request, queryset):
    """One zip: a JSON file per subscriber, and one CSV of their
    subscriptions, for a data request."""
    buffer = io.BytesIO()
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["email", "topic", "kind", "status", "since", "unsubscribed"])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for subscriber in queryset:
            data = subscriptions.export(subscriber)
            archive.writestr(
                f"subscriber-{subscriber.pk}.json",
                json.dumps(data, indent=2, ensure_ascii=False),
            )
            for row in data["subscriptions"]:
                writer.writerow(
                    [
                        data["email"],
                        row["topic"],
                        row["kind"],
                        row["status"],
                        row["since"],
                        row["unsubscribed"] or "",
                    ]
                )
        archive.writestr("subscriptions.csv", rows.getvalue())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="subscribers.zip"'
    return response


@admin.action(
    description=_("Delete the selected subscribers and everything about them"),
    permissions=["delete"],
)
def erase_data(modeladmin, request, queryset):
    count = 0
    for subscriber in queryset:
        subscriptions.erase(subscriber)
        count += 1
    modeladmin.message_user(
        request,
        ngettext(
            "Subscriber deleted: %(count)d.", "Subscribers deleted: %(count)d.", count
        )
        % {"count": count},
    )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "suppressed_at"]
    list_filter = ["suppressed_reason"]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "created_at",
        "confirmed_at",
        "suppressed_at",
        "suppressed_reason",
    ]
    inlines = [SubscriptionInline]
    actions = [export_data, erase_data]

    def has_add_permission(self, request):
        # Readers sign up themselves (double opt-in); the desk never does.
        return False

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # erase_data deletes, and says so
        return actions
