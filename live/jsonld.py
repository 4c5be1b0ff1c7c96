"""A live story's structured data (``articles.seo``): the story's NewsArticle
becomes a schema.org ``LiveBlogPosting`` with ``coverageStartTime``,
``coverageEndTime`` once it has ended, and a ``BlogPosting`` per update
shown on the page in ``liveBlogUpdate``, newest first; ``dateModified``
moves to the newest update when it is later."""

from articles.models import Article
from live.models import coverage_for


def _person(update, request) -> dict | None:
    if update.author is None:
        return None
    return {
        "@type": "Person",
        "name": update.author.name,
        "url": request.build_absolute_uri(update.author.get_absolute_url()),
    }


def add_live_blog(story: Article, request, data: dict) -> None:
    coverage = coverage_for(story)
    if coverage is None:
        return
    page = request.build_absolute_uri(story.get_absolute_url())
    updates = coverage.shown_updates
    data["@type"] = "LiveBlogPosting"
    data["coverageStartTime"] = coverage.started_at.isoformat()
    if coverage.ended_at:
        data["coverageEndTime"] = coverage.ended_at.isoformat()
    items = []
    for update in updates:
        item = {
            "@type": "BlogPosting",
            "headline": update.title,
            "articleBody": "\n\n".join(update.paragraphs),
            "datePublished": update.published_at.isoformat(),
            "dateModified": update.updated_at.isoformat(),
            "url": f"{page}#{update.anchor}",
        }
        author = _person(update, request)
        if author:
            item["author"] = author
        if update.picture:
            item["image"] = request.build_absolute_uri(update.picture.url)
        items.append(item)
    data["liveBlogUpdate"] = items
    modified = story.updated_at or story.published_at
    if updates and (modified is None or updates[0].published_at > modified):
        data["dateModified"] = updates[0].published_at.isoformat()
