"""Models to the dicts the schemas describe (``api.schemas``).

Everything here reads what the caller loaded (``select_related``,
prefetches): no query per item. Addresses are absolute, built from the
request, so a partner can follow them; media addresses are the site's own
(``images.picture()``, as the story page writes its ``srcset``).
"""

from django.urls import reverse

from articles import images
from articles.links import cached_reverse
from articles.sanitizer import clean_html


def absolute(request, url: str) -> str:
    return request.build_absolute_uri(url)


def api_url(request, name: str, *args) -> str:
    return absolute(request, reverse(f"api:{name}", args=args))


def picture(request, field, width, height, *, alt="", caption="", credit=""):
    """The renditions of a stored image, as the site's ``<picture>`` offers
    them (``articles.images``): WebP and JPEG at each width, never upscaled."""
    found = images.picture(field, width, height)
    if found is None:
        return None
    storage = field.storage
    renditions = [
        {
            "width": w,
            "format": "jpeg" if extension == "jpg" else extension,
            "url": absolute(
                request, storage.url(images.rendition_name(field.name, w, extension))
            ),
        }
        for extension in ("webp", "jpg")
        for w in images.rendition_widths(width)
    ]
    return {
        "url": absolute(request, found.src),
        "width": found.width,
        "height": found.height,
        "original_width": width,
        "original_height": height,
        "alt": alt,
        "caption": caption,
        "credit": credit,
        "renditions": renditions,
    }


def section_ref(request, section) -> dict:
    return {
        "id": section.pk,
        "name": section.name,
        "slug": section.slug,
        "url": absolute(request, section.get_absolute_url()),
    }


def section(request, section) -> dict:
    return {
        **section_ref(request, section),
        "description": section.description,
        "api_url": api_url(request, "section", section.slug),
    }


def tag_ref(request, tag) -> dict:
    return {
        "id": tag.pk,
        "name": tag.name,
        "slug": tag.slug,
        "url": absolute(request, cached_reverse("articles:tag", tag.slug)),
    }


def tag(request, tag) -> dict:
    return {
        **tag_ref(request, tag),
        "story_count": tag.story_count,
        "api_url": api_url(request, "tag", tag.slug),
    }


def author_ref(request, author) -> dict:
    return {
        "id": author.pk,
        "name": author.name,
        "slug": author.slug,
        "job_title": author.job_title,
        "url": absolute(request, author.get_absolute_url()),
    }


def author(request, author) -> dict:
    return {
        **author_ref(request, author),
        "bio": author.bio,
        "photo": picture(
            request,
            author.photo,
            author.photo_width,
            author.photo_height,
            alt=author.name,
        ),
        "api_url": api_url(request, "author", author.slug),
    }


def story_summary(request, story) -> dict:
    """A story as lists show it: ``for_listing().with_tags()`` loaded."""
    return {
        "id": story.pk,
        "url": absolute(request, story.get_absolute_url()),
        "api_url": api_url(request, "story", story.pk),
        "headline": story.headline,
        "slug": story.slug,
        "dek": story.dek,
        "language": story.language,
        "section": section_ref(request, story.section),
        "published_at": story.published_at,
        "updated_at": story.updated_at,
        "is_top_story": story.is_top_story,
        "bylines": [
            {
                "role": byline.role,
                "role_label": byline.get_role_display(),
                "author": author_ref(request, byline.author),
            }
            for byline in story.bylines.all()
        ],
        "tags": [tag_ref(request, tag) for tag in story.tags.all()],
        "lead_image": picture(
            request,
            story.lead_image,
            story.lead_image_width,
            story.lead_image_height,
            alt=story.lead_image_alt,
            caption=story.lead_image_caption,
            credit=story.lead_image_credit,
        ),
    }


def correction(note) -> dict:
    return {
        "id": note.pk,
        "kind": note.kind,
        "kind_label": note.get_kind_display(),
        "text": note.text,
        "placement": note.placement,
        "published_at": note.published_at,
    }


def live(request, coverage) -> dict | None:
    if coverage is None:
        return None
    return {
        "started_at": coverage.started_at,
        "ended_at": coverage.ended_at,
        "is_ended": coverage.is_ended,
        "summary": coverage.summary,
        "updates": [
            {
                "id": update.pk,
                "headline": update.headline,
                "text": update.text,
                "pinned": update.pinned,
                "published_at": update.published_at,
                "updated_at": update.updated_at,
                "author": (
                    author_ref(request, update.author) if update.author else None
                ),
                "picture": picture(
                    request,
                    update.picture,
                    update.picture_width,
                    update.picture_height,
                    alt=update.picture_alt,
                    caption=update.picture_caption,
                ),
                "url": absolute(request, update.get_absolute_url()),
            }
            for update in coverage.shown_updates
        ],
    }


def translation(request, story) -> dict:
    return {
        "id": story.pk,
        "language": story.language,
        "headline": story.headline,
        "url": absolute(request, story.get_absolute_url()),
        "api_url": api_url(request, "story", story.pk),
    }


def story_detail(request, story, *, notes, coverage, translations, comments):
    return {
        **story_summary(request, story),
        "body_html": clean_html(story.body),
        "seo_headline": story.seo_headline,
        "seo_description": story.seo_description,
        "comments_enabled": story.comments_enabled,
        "comment_count": comments,
        "corrections": [correction(note) for note in notes],
        "live": live(request, coverage),
        "translations": [translation(request, other) for other in translations],
    }
