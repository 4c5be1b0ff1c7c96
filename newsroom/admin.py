"""The admin site's wiring that belongs to no one app: wired in ``newsroom.urls``.

- ``view_on_site``: the admin's "view on site" redirect, with the object-level
  check Django's own ``contenttypes.views.shortcut`` does not make.
- ``AdminLoginForm``: the login form, with the username capped before any
  authentication backend (django-axes) sees it.
- ``autocomplete``: the widgets' search, refusing names that are no widget's.
- ``AdminQueryGuardMiddleware``: no NUL in the admin's query parameters.
"""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.validators import MaxLengthValidator
from django.db.models.fields.related import RelatedField
from django.http import Http404, HttpResponseBadRequest


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
                "Bad request: a parameter holds a NUL character.",
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
