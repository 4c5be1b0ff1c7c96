"""Story addresses made from headlines: cut between words, never inside one.

``slug_from()`` is what the change form's script does live in the browser
(``static/articles/admin/story-form.js``) and what ``Article.save()`` falls
back to, so the address an editor sees is the one that is stored.
"""

from django.utils.text import slugify

# The column's size: a slug typed by hand may be this long (longer is a form
# error, never cut).
SLUG_MAX_LENGTH = 200
# A slug made from a headline stops at the last word that fits in this many
# characters: addresses stay readable, and shared links short.
SLUG_FROM_HEADLINE = 80


def slug_from(headline: str, limit: int = SLUG_FROM_HEADLINE) -> str:
    """The headline's slug, at most ``limit`` characters, cut at a hyphen.

    A single word longer than ``limit`` is the one case cut inside a word
    (there is no boundary to cut at).
    """
    slug = slugify(headline, allow_unicode=True)
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1]
    boundary = cut.rfind("-")
    if boundary > 0:
        return cut[:boundary].strip("-_")
    return slug[:limit].strip("-_")


def was_shortened(headline: str, slug: str) -> bool:
    """Whether ``slug`` leaves words of ``headline`` out (to tell the editor)."""
    return slugify(headline, allow_unicode=True) != slug and slug_from(headline) == slug
