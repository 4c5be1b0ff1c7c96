"""The story page's live coverage: ``{% live_badge article %}`` in the
header, ``{% live_coverage article %}`` (the notice, key points and updates)
and ``{% live_script article %}`` (the polling script, while the coverage
runs). Two queries per page, shared with the JSON-LD
(``live.models.coverage_for``); one for a story that was never live."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from live.models import coverage_for

register = template.Library()


@register.inclusion_tag("live/tags/badge.html")
def live_badge(article):
    return {"coverage": coverage_for(article)}


@register.inclusion_tag("live/tags/coverage.html")
def live_coverage(article):
    coverage = coverage_for(article)
    if coverage is None:
        return {"coverage": None}
    updates = coverage.shown_updates
    return {
        "coverage": coverage,
        "updates": updates,
        "key_points": [update for update in updates if update.pinned],
    }


@register.simple_tag
def live_script(article):
    coverage = coverage_for(article)
    if coverage is None or coverage.is_ended:
        return ""
    return format_html('<script src="{}" defer></script>', static("live/live.js"))
