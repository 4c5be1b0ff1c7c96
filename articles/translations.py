"""A story's translations as its page shows them.

Translations share ``Article.translation_key`` (linked by
``services.link_translation()``). A story page names its published
translations in the ``<head>`` (``<link rel="alternate" hreflang>``,
``og:locale:alternate``, the JSON-LD's ``workTranslation`` and
``translationOfWork``) and to readers ("Read this story in ..."), and the
translator's byline links a translation to its original.

Which is the original: the story of the group without a "Translated by"
byline; a group where every story has one has no known original.
"""

from django.utils import timezone

from articles import shown
from articles.models import Article, Byline

# Open Graph writes locales as language_TERRITORY; our languages' usual one.
OG_LOCALES = {"en": "en_US", "ko": "ko_KR"}

# What a translation's link and tags need: its address, headline, language.
FIELDS = (
    "pk",
    "slug",
    "headline",
    "language",
    "status",
    "published_at",
    "created_at",
    "translation_key",
)


def og_locale(language: str) -> str:
    """``og:locale`` of a language code: "ko" is "ko_KR"."""
    return OG_LOCALES.get(language, language.replace("-", "_"))


def is_translation(story: Article) -> bool:
    """Whether ``story`` (bylines prefetched) has a "Translated by" byline."""
    return any(b.role == Byline.Role.TRANSLATED for b in story.bylines.all())


def live_translations(story: Article, now=None) -> list[Article]:
    """The other published language versions of ``story``, in the order of
    their languages, each with its bylines (roles only).

    Two queries with any number of translations, none without a group. Every
    story of the group is recorded as shown (``articles.shown``), the
    unpublished ones too: when a draft translation goes live, or a live one
    is taken down, this page changes and the page cache retires it.
    """
    if story.translation_key is None:
        return []
    group = list(
        Article.objects.filter(translation_key=story.translation_key)
        .exclude(pk=story.pk)
        .only(*FIELDS)
        .order_by("language", "pk")
    )
    shown.stories(other.pk for other in group)
    now = now or timezone.now()
    live = [other for other in group if other.is_published_at(now)]
    if live:
        bylines = {}
        rows = Byline.objects.filter(article_id__in=[other.pk for other in live])
        for byline in rows.only("article_id", "role"):
            bylines.setdefault(byline.article_id, []).append(byline)
        for other in live:
            other.translation_roles = {b.role for b in bylines.get(other.pk, [])}
    return live


def original_of(story: Article, translations: list[Article]) -> Article | None:
    """The original ``story`` was translated from, among its live
    ``translations`` (from ``live_translations()``); None when ``story`` is
    itself the original, or the original is not live."""
    if not is_translation(story):
        return None
    for other in translations:
        if Byline.Role.TRANSLATED not in other.translation_roles:
            return other
    return None


def originals(story: Article, translations: list[Article]) -> list[Article]:
    """The versions without a "Translated by" byline among ``story`` and its
    live ``translations``: one, the original, in a well-linked group."""
    found = [] if is_translation(story) else [story]
    return found + [
        other
        for other in translations
        if Byline.Role.TRANSLATED not in other.translation_roles
    ]
