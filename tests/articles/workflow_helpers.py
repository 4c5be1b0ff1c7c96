"""Users in each newsroom role, and the admin form data for a story."""

import html5lib
from django.contrib.auth.models import Group

from tests.factories import make_user


def make_role_user(role: str | None):
    """A staff user in the named group (Reporter, Editor, Moderator)."""
    user = make_user(staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def parse(response):
    return html5lib.parse(
        response.content.decode(response.charset), namespaceHTMLElements=False
    )


def submit_buttons(response):
    return {
        element.get("name"): element.get("value")
        for element in parse(response).iter("input")
        if element.get("type") == "submit" and element.get("name")
    }


def story_form_data(article, *, bylines=None, **overrides):
    """Everything the change form posts for ``article``, as an editor sees it."""
    rows = list(article.bylines.all()) if bylines is None else bylines
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "lead_image_alt": article.lead_image_alt,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "section": str(article.section_id),
        "language": article.language,
        "tags": ", ".join(sorted(article.tags.names())) if article.pk else "",
        "status": article.status,
        "published_at_0": "",
        "published_at_1": "",
        "comments_enabled": "on" if article.comments_enabled else "",
        # The version the form was opened at: the one stored when it was read.
        "version": str(article.version) if article.pk else "",
        "bylines-TOTAL_FORMS": str(len(rows)),
        "bylines-INITIAL_FORMS": str(sum(1 for row in rows if row.pk)),
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
    }
    if article.published_at:
        from django.utils import timezone

        local = timezone.localtime(article.published_at)
        data["published_at_0"] = f"{local:%Y-%m-%d}"
        data["published_at_1"] = f"{local:%H:%M:%S}"
    if article.is_top_story:
        data["is_top_story"] = "on"
    for i, row in enumerate(rows):
        data[f"bylines-{i}-id"] = str(row.pk) if row.pk else ""
        data[f"bylines-{i}-article"] = str(article.pk) if article.pk else ""
        data[f"bylines-{i}-author"] = str(row.author_id)
        data[f"bylines-{i}-role"] = row.role
        data[f"bylines-{i}-order"] = str(row.order)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
