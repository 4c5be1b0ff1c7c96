"""The story form's helpers behind the admin's login and CSRF checks
(``ArticleAdmin.get_urls`` wraps them in ``admin_site.admin_view``).

- ``body_image_upload``: a picture for the body, from the editor.
- ``tag_suggestions``: existing tags for the tag box, as the editor types.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext
from taggit.models import Tag

from articles import bodyimages, services, workflow
from articles.models import Article

SUGGESTIONS = 10
QUERY_LIMIT = 100


def _may_write(model_admin, request) -> bool:
    return model_admin.has_add_permission(request) or model_admin.has_change_permission(
        request
    )


def body_image_upload(model_admin, request):
    """POST ``image`` with ``alt`` (required), ``caption`` and ``credit``.

    201 with the stored picture and the markup the editor inserts; 400 with
    the errors by field; 403 without the right to write stories; 503 when the
    media storage refuses the file.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _may_write(model_admin, request):
        return JsonResponse({"errors": {"image": gettext("Not allowed.")}}, status=403)
    try:
        picture = bodyimages.store(
            request.FILES.get("image"),
            alt=request.POST.get("alt", ""),
            caption=request.POST.get("caption", ""),
            credit=request.POST.get("credit", ""),
            by=request.user,
        )
    except ValidationError as error:
        return JsonResponse(
            {"errors": {k: v[0] for k, v in error.message_dict.items()}}, status=400
        )
    except OSError as error:
        return JsonResponse(
            {"errors": {"image": services.media_message(error)}}, status=503
        )
    return JsonResponse(
        {
            "id": picture.pk,
            "src": picture.image.url,
            "width": picture.width,
            "height": picture.height,
            "alt": picture.alt,
            "caption": picture.caption,
            "credit": picture.credit,
            "html": bodyimages.figure_html(picture),
        },
        status=201,
    )


def tag_suggestions(model_admin, request):
    """GET ``?q=``: up to ten tags starting with ``q``, most used first, among
    the stories the user may see (a draft's tags stay with its readers)."""
    if not model_admin.has_view_or_change_permission(request):
        return JsonResponse({"tags": []}, status=403)
    query = request.GET.get("q", "").strip()[:QUERY_LIMIT]
    if not query:
        return JsonResponse({"tags": []})
    stories = workflow.visible_stories(request.user, Article.objects.all())
    tags = (
        Tag.objects.filter(
            name__istartswith=query,
            articles_taggedarticle_items__content_object__in=stories.values("pk"),
        )
        .annotate(uses=Count("articles_taggedarticle_items"))
        .order_by("-uses", "name")
        .values_list("name", flat=True)[:SUGGESTIONS]
    )
    return JsonResponse({"tags": list(tags)})
