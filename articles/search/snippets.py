"""What a search result shows: the headline with the terms marked, an excerpt."""

import html
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

SNIPPET_LENGTH = 240


def plain_text(body: str | None) -> str:
    """The readable text of stored article HTML (tags dropped, entities decoded).

    Also what SQLite's full-text table holds of a body (``sqlite``).
    """
    if not body:
        return ""
    text = html.unescape(strip_tags(body.replace("<", " <")))
    return " ".join(text.split())


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` HTML-escaped, with every occurrence of a term wrapped in <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)),
        re.IGNORECASE,
    )
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece escaped above


def snippet(article: Article, terms: list[str]) -> SafeString:
    """A short excerpt of the dek or body around the first term found."""
    lowered = [term.casefold() for term in terms]
    for text in (article.dek, plain_text(article.body)):
        text = " ".join(text.split())
        folded = text.casefold()
        positions = [folded.find(term) for term in lowered if term in folded]
        if positions:
            start = max(0, min(positions) - SNIPPET_LENGTH // 3)
            excerpt = text[start : start + SNIPPET_LENGTH]
            prefix = "…" if start else ""
            suffix = "…" if start + SNIPPET_LENGTH < len(text) else ""
            return highlight(prefix + excerpt + suffix, terms)
    return escape(article.dek or plain_text(article.body)[:SNIPPET_LENGTH])
