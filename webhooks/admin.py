"""The webhooks' admin, for superusers only: subscriptions (the signing
secret shown on the subscription's page, a "send test" button, switching on
again) and the delivery log with every attempt's answer."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from webhooks import dispatch, signing, tasks
from webhooks.forms import SubscriptionForm
from webhooks.models import Delivery, DeliveryAttempt, Subscription


class SuperuserOnly:
    """Webhooks carry the newsroom's content out and hold signing secrets:
    superusers only, whatever permissions a role holds."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(Subscription)
class SubscriptionAdmin(SuperuserOnly, admin.ModelAdmin):
    form = SubscriptionForm
    change_form_template = "admin/webhooks/subscription/change_form.html"
    list_display = ["name", "url", "is_active", "events_list", "consecutive_failures"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret_display", "consecutive_failures", "disabled_at"]
    actions = ["switch_on", "new_secret"]

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ["name", "url", "events", "is_active"]})
        if obj is None:
            return [main]
        state = ["secret_display", "consecutive_failures", "disabled_at"]
        return [main, (_("Signing and state"), {"fields": state})]

    @admin.display(description=_("events"))
    def events_list(self, obj):
        return ", ".join(obj.event_labels())

    @admin.display(description=_("signing secret"))
    def secret_display(self, obj):
        return format_html(
            "<details><summary>{}</summary><code>{}</code></details>"
            "<p class='help'>{}</p>",
            gettext("Show the secret"),
            obj.secret,
            gettext(
                "The receiver verifies each message's webhook-signature with "
                "it. Keep it out of e-mail and chat."
            ),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif "is_active" in form.changed_data and obj.is_active:
            obj.consecutive_failures = 0
            obj.disabled_at = None
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Switch on again (failures forgotten)"))
    def switch_on(self, request, queryset):
        # One save each, not one UPDATE: each is heard (the audit log).
        count = 0
        for subscription in queryset:
            subscription.is_active = True
            subscription.consecutive_failures = 0
            subscription.disabled_at = None
            subscription.save(
                update_fields=["is_active", "consecutive_failures", "disabled_at"]
            )
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d subscription switched on.",
                "%(count)d subscriptions switched on.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Give a new signing secret"))
    def new_secret(self, request, queryset):
        count = 0
        for subscription in queryset:
            subscription.secret = signing.new_secret()
            subscription.save(update_fields=["secret"])
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d subscription has a new secret: give it to its receiver.",
                "%(count)d subscriptions have new secrets: give them to their "
                "receivers.",
                count,
            )
            % {"count": count},
            messages.WARNING,
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="webhooks_subscription_send_test",
            ),
            *super().get_urls(),
        ]

    def send_test_view(self, request, pk):
        """POST only: a test message, sent now, the answer shown."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        subscription = get_object_or_404(Subscription, pk=pk)
        delivery = dispatch.create_test(subscription)
        dispatch.attempt(delivery.pk)
        delivery.refresh_from_db()
        if delivery.status == Delivery.Status.SUCCEEDED:
            self.message_user(
                request,
                gettext("Test message delivered (HTTP %(code)s).")
                % {"code": delivery.last_status_code},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                gettext("Test message not delivered: %(error)s")
                % {"error": delivery.last_error},
                messages.ERROR,
            )
        return HttpResponseRedirect(
            reverse("admin:webhooks_subscription_change", args=[pk])
        )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "at", "status_code", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Delivery)
class DeliveryAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "subscription",
        "event_label",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "is_test", "subscription"]
    list_select_related = ["subscription"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    actions = ["send_again"]
    fields = [
        "subscription",
        "event",
        "message_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "body_display",
    ]
    readonly_fields = fields

    @admin.display(description=_("event"))
    def event_label(self, obj):
        return obj.event_label

    @admin.display(description=_("body"))
    def body_display(self, obj):
        return format_html("<pre>{}</pre>", obj.body)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a log: read, never edited

    @admin.action(description=_("Send again (the same message, signed anew)"))
    def send_again(self, request, queryset):
        chosen = list(
            queryset.exclude(is_test=True)
            .exclude(status=Delivery.Status.PENDING)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=chosen).update(
            status=Delivery.Status.RETRYING,
            next_attempt_at=timezone.now(),
            claimed_until=None,
        )
        tasks.deliver_after_commit(chosen)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again.",
                "%(count)d deliveries will be sent again.",
                len(chosen),
            )
            % {"count": len(chosen)},
            messages.SUCCESS,
        )
