"""Stable links: a published story's old addresses keep working.

When an editor changes the slug or the publication date of a story that
readers could already see, ``articles.services.save_story()`` notes the
address the stored story had (``public_url()``) and, once the story is saved,
records it with ``record_url_change()``. The story page looks the address up
only when no published story matches, and answers with a 301 to the story's
current address. Rows point at the story, not at the next address, so a story
renamed twice sends both old addresses straight to the newest one.
"""

from urllib.parse import unquote

from articles.models import Article, ArticleRedirect


def public_url(stored: Article | None) -> str | None:
    """The address readers know a story by, or None if it is not live.

    ``stored`` is the story as the database has it before a save (None for a
    new one); pass the result to ``record_url_change`` after the save.
    """
    if stored is None or not stored.is_published:
        return None
    return stored.get_absolute_url()


def record_url_change(article: Article, old_url: str | None) -> ArticleRedirect | None:
    """Remember ``old_url`` for ``article`` if its address is now different."""
    if not old_url:
        return None
    old_path = unquote(old_url)
    new_path = unquote(article.get_absolute_url())
    # The story is back at an address it once left: that row would be dead.
    ArticleRedirect.objects.filter(old_path=new_path).delete()
    if old_path == new_path:
        return None
    redirect, _ = ArticleRedirect.objects.update_or_create(
        old_path=old_path, defaults={"article": article}
    )
    return redirect


def find_redirect(path: str) -> Article | None:
    """The published story that used to live at ``path`` (a decoded path)."""
    redirect = (
        ArticleRedirect.objects.filter(
            old_path=path, article__in=Article.objects.published()
        )
        .select_related("article")
        .first()
    )
    return redirect.article if redirect else None
