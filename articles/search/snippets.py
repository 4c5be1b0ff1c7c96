"""What a search result shows: the headline with the terms marked, an excerpt."""

import html
import re
import unicodedata

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


def _pattern(terms: list[str]) -> re.Pattern:
    # Longest first, so a term inside another never splits its mark.
    return re.compile(
        "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)),
        re.IGNORECASE,
    )


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` HTML-escaped, with every occurrence of a term wrapped in <mark>."""
    if not terms:
        return escape(text)
    parts, last = [], 0
    for match in _pattern(terms).finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece escaped above


def excerpt(text: str, at: int = 0, length: int = SNIPPET_LENGTH) -> str:
    """At most ``length`` characters of ``text`` (single-spaced) around ``at``,
    starting and ending between words, with "…" where text was left out.

    Words are what spaces separate: English words, Korean eojeol (a word and
    its particles). ``at`` sits about a third of the way in, or further when
    the text ends sooner. A word longer than ``length`` (text without spaces)
    is cut between characters.
    """
    if len(text) <= length:
        return text
    while at < len(text) - 1 and text[at] == " ":
        at += 1
    # Only the words near ``at`` are looked at; one cut by the edge of that
    # stretch is left out.
    low, high = max(0, at - length), min(len(text), at + 2 * length)
    words = [
        (low + found.start(), low + found.end())
        for found in re.finditer(r"\S+", text[low:high])
    ]
    if words and low and text[low - 1] != " " and words[0][1] <= at:
        words.pop(0)
    if words and high < len(text) and text[high] != " " and words[-1][0] > at:
        words.pop()
    word = next((i for i, (s, e) in enumerate(words) if s <= at < e), None)
    if word is None or words[word][1] - words[word][0] > length:
        return _cut_between_characters(text, at, length)
    first = last = word
    # Words before ``at`` up to a third of the length, then after it, then
    # before it again if the text ended first.
    while first and at - words[first - 1][0] <= length // 3:
        first -= 1
    while last + 1 < len(words) and words[last + 1][1] - words[first][0] <= length:
        last += 1
    while first and words[last][1] - words[first - 1][0] <= length:
        first -= 1
    start, end = words[first][0], words[last][1]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + text[start:end] + suffix


def _cut_between_characters(text: str, at: int, length: int) -> str:
    start = _between_characters(text, max(0, min(at - length // 3, len(text) - length)))
    end = _between_characters(text, min(len(text), start + length))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + text[start:end] + suffix


def _between_characters(text: str, index: int) -> int:
    # Never between a letter and its combining marks (decomposed Hangul
    # jamo, accents).
    while 0 < index < len(text) and unicodedata.combining(text[index]):
        index -= 1
    return index


def snippet(article: Article, terms: list[str]) -> SafeString:
    """A short excerpt of the dek or body around the first term found, the
    terms marked; the start of the dek (or body) when neither has one."""
    pattern = _pattern(terms) if terms else None
    texts = [" ".join(article.dek.split()), plain_text(article.body)]
    for text in texts:
        found = pattern.search(text) if pattern else None
        if found:
            return highlight(excerpt(text, found.start()), terms)
    return escape(excerpt(texts[0] or texts[1]))


def matching_tags(article: Article, terms: list[str]) -> list[tuple]:
    """``(tag, its name marked)`` for the story's tags (prefetched) whose names
    contain a term: why a story whose text lacks a word was found."""
    if not terms:
        return []
    pattern = _pattern(terms)
    return [
        (tag, highlight(tag.name, terms))
        for tag in sorted(article.tags.all(), key=lambda tag: tag.name)
        if pattern.search(tag.name)
    ]
