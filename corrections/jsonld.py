"""A story's notes in its NewsArticle (``articles.seo``): schema.org's
``correction`` property, one ``CorrectionComment`` per note, and
``dateModified`` moved to the newest note when it is later."""

from articles.models import Article
from corrections.models import latest_time, notes_for


def add_corrections(story: Article, request, data: dict) -> None:
    notes = notes_for(story)
    if not notes:
        return
    data["correction"] = [
        {
            "@type": "CorrectionComment",
            "text": note.text,
            "datePublished": note.published_at.isoformat(),
            "url": request.build_absolute_uri(
                f"{story.get_absolute_url()}#{note.anchor}"
            ),
        }
        for note in notes
    ]
    modified = story.updated_at or story.published_at
    newest = latest_time(notes)
    if modified is None or newest > modified:
        data["dateModified"] = newest.isoformat()
