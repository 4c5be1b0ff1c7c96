"""The admin site's wiring that belongs to no one app: wired in ``newsroom.urls``.

- ``view_on_site``: the admin's "view on site" redirect, with the object-level
  check Django's own ``contenttypes.views.shortcut`` does not make.
- ``AdminLoginForm``: the login form, with the username capped before any
  authentication backend (django-axes) sees it.
- ``autocomplete``: the widgets' search, refusing names that are no widget's.
- ``AdminQueryGuardMiddleware``: no NUL in the admin's query parameters.
- ``DeskSite``: the admin as the newsroom's desk: its name, the editor's words
  for the sections of the menu, internal apps for superusers only, the
  counts model admins show beside their name (``desk_badge()``), and the
  second factor it asks for (``twofactor.policy``).
"""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.utils import unquote
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.validators import MaxLengthValidator
from django.db.models.fields.related import RelatedField
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from twofactor import policy as two_factor

# The desk's menu: (title, app whose index the title links to, models as
# (app label, model name, the editor's word)). Models of apps named nowhere
# keep their app's own section, after these.
DESK_SECTIONS = (
    (
        _("Stories"),
        "articles",
        (
            ("articles", "article", _("Stories")),
            ("articles", "section", _("Sections")),
            ("taggit", "tag", _("Tags")),
        ),
    ),
    (
        _("Comments"),
        "comments",
        (
            ("comments", "comment", _("Comments")),
            ("comments", "commentreport", _("Reports")),
            ("comments", "moderationword", _("Word list")),
            ("comments", "storycommentsettings", _("Story comment settings")),
        ),
    ),
    (
        _("People"),
        "auth",
        (
            ("articles", "author", _("Authors")),
            ("auth", "user", _("Users")),
            ("auth", "group", _("Roles")),
        ),
    ),
)
# The desk's words for the models of the packages we install, whose own
# catalogues have no Korean (django-axes, django-tasks-db).
PACKAGE_WORDS = {
    ("axes", "accessattempt"): _("Login attempts"),
    ("axes", "accessfailurelog"): _("Failed logins"),
    ("axes", "accesslog"): _("Login log"),
    ("django_tasks_database", "dbtaskresult"): _("Background tasks"),
}
# Words of Django that its Korean catalogue lacks (the admin's
# date_hierarchy.html; the blank choice of every <select>, new in 6.1):
# listed so that ``make messages`` keeps them in ours, which Django reads
# first (LOCALE_PATHS).
DJANGO_WORDS = (
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("- Select an option -"),
)
# Machinery, not newsroom work: login attempts (axes), tag storage (taggit's
# own models), background tasks (django-tasks-db's results, read-only).
# Listed for superusers only, under "Internal".
INTERNAL_APPS = frozenset({"axes", "taggit", "django_tasks_database"})


class DeskSite(admin.AdminSite):
    """The admin site, as the desk: see ``DESK_SECTIONS``.

    Permissions are Django's as ever; this only arranges and names what a user
    may already open. A model admin with a ``desk_badge(request)`` method
    (the comment queue's pending count) has the number shown beside its name,
    in the menu and the header: one query per page, whatever the numbers.
    """

    index_title = _("Desk")

    @property
    def site_header(self):
        return settings.NEWSROOM_NAME

    @property
    def site_title(self):
        return gettext("%(name)s desk") % {"name": settings.NEWSROOM_NAME}

    def has_permission(self, request):
        """Django's rule (an active staff member), and the second factor when
        one is due (``twofactor.policy``): a password alone opens no page."""
        return super().has_permission(request) and two_factor.is_satisfied(request)

    def login(self, request, extra_context=None):
        """Django's login is the password step; a staff member who owes a
        second factor goes on to it (or to enrolment), ``next`` kept."""
        response = super().login(request, extra_context)
        user = request.user
        if two_factor.staff_session(user) and two_factor.is_due(user):
            target = (
                response.url
                if isinstance(response, HttpResponseRedirect)
                else request.GET.get(REDIRECT_FIELD_NAME, "")
            )
            return HttpResponseRedirect(two_factor.second_step_url(user, target))
        return response

    def each_context(self, request):
        context = super().each_context(request)
        context["desk_badges"] = [
            model
            for app in context["available_apps"]
            for model in app["models"]
            if model.get("badge")
        ]
        return context

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        badges = self._badges(request)
        words = {
            **PACKAGE_WORDS,
            **{
                (app, model): word
                for _title, _app, models in DESK_SECTIONS
                for app, model, word in models
            },
        }
        for app in app_list:
            for model in app["models"]:
                meta = model["model"]._meta
                model["name"] = words.get(
                    (meta.app_label, meta.model_name), model["name"]
                )
                model["badge"] = badges.get(model["model"])
        if app_label is not None:
            return app_list
        return self._desk_sections(request, app_list)

    def _badges(self, request):
        # get_app_list() runs twice on the index (the menu and the page).
        badges = getattr(request, "_desk_badges", None)
        if badges is None:
            badges = {}
            for model, model_admin in self._registry.items():
                badge = getattr(model_admin, "desk_badge", None)
                if badge is not None:
                    badges[model] = badge(request)
            request._desk_badges = badges
        return badges

    def _desk_sections(self, request, app_list):
        found = {
            (model["model"]._meta.app_label, model["model"]._meta.model_name): model
            for app in app_list
            for model in app["models"]
        }
        sections, placed = [], set()
        for title, app_label, models in DESK_SECTIONS:
            chosen = [
                found[app, name] for app, name, _word in models if (app, name) in found
            ]
            placed.update((app, name) for app, name, _word in models)
            if chosen:
                sections.append(self._section(title, app_label, chosen))
        internal = []
        for app in app_list:
            rest = [
                model
                for model in app["models"]
                if (model["model"]._meta.app_label, model["model"]._meta.model_name)
                not in placed
            ]
            if not rest:
                continue
            if app["app_label"] in INTERNAL_APPS:
                internal.extend(rest)
            else:
                sections.append({**app, "models": rest})
        if internal and request.user.is_superuser:
            label = internal[0]["model"]._meta.app_label
            sections.append(self._section(gettext("Internal"), label, internal))
        return sections

    def _section(self, title, app_label, models):
        return {
            "name": title,
            "app_label": app_label,
            "app_url": reverse(
                "admin:app_list", kwargs={"app_label": app_label}, current_app=self.name
            ),
            "has_module_perms": True,
            "models": models,
        }


def view_on_site(request, content_type_id, object_id):
    """``/admin/r/<content type>/<id>/``: redirect to the object's public page,
    only if this user may open the object in the admin.

    The object is looked up through its model admin, as the change form does:
    ``get_queryset()`` (a story admin's is ``workflow.visible_stories``) and
    the view or change permission. Anything else is the same 404 as a missing
    object, so ids cannot be walked to learn a draft's address.
    """
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        model = None
    if model is None or not admin.site.is_registered(model):
        raise Http404("No such object.")
    model_admin = admin.site.get_model_admin(model)
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404("No such object.")
    return shortcut(request, content_type_id, object_id)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin login, refusing over-long usernames as a form error.

    Django sets the field's ``max_length`` from the user model but adds no
    validator, so a 256-character username reached ``authenticate()`` and
    django-axes' failure record (a 255-character column): a 500 on PostgreSQL.
    Now it is refused before ``clean()`` calls ``authenticate()``.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class AdminQueryGuardMiddleware:
    """Refuse, with a 400, admin requests whose query string holds a NUL.

    The admin passes its list filters, search and widget parameters to the
    database as they come; PostgreSQL refuses a NUL in text and the error
    surfaced as a 500 (``?status__exact=%00``). Django's own guard
    (``IncorrectLookupParameters``) runs while the query is built, not when it
    is evaluated, so it cannot catch this. No admin parameter has a use for a
    NUL, on either database. Invalid choice values need no guard: they match
    no row, an empty list.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(f"/{settings.ADMIN_URL_PREFIX}") and any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                gettext("Bad request: a parameter holds a NUL character."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def autocomplete(request):
    """``/admin/autocomplete/``: Django's, for the fields a widget can name.

    Django's view accepts any relation name, and a reverse many-to-many one
    (``?app_label=auth&model_name=group&field_name=user``) crashed it: a 500.
    A field that is not a forward relation is refused like any other bad
    parameter (403). Which rows it answers with is the remote model admin's
    ``get_queryset()``: a reporter's story search finds only their stories.
    """
    try:
        model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        field = model._meta.get_field(request.GET["field_name"])
    except (KeyError, LookupError, ValueError, FieldDoesNotExist):
        raise PermissionDenied from None
    if not isinstance(field, RelatedField):
        raise PermissionDenied
    return admin.site.autocomplete_view(request)
