"""Story addresses made from headlines: cut between words, never inside one.

``slug_from()`` is what the change form's script does live in the browser
(``static/articles/admin/story-form.js``) and what ``Article.save()`` falls
back to, so the address an editor sees is the one that is stored.

Korean headlines give Korean slugs (``/politics/북한-회담-재개/``: browsers show
them as typed, and search engines read them). ``SLUG_ROMANIZE = True``
(the environment's ``SLUG_ROMANIZE=1``) writes them in Latin letters instead,
in the Revised Romanization of Korean (korean-romanizer):
``bukhan-hoedam-jaegae``, for newsrooms whose addresses are shared where
Hangul is percent-encoded. Then the change form leaves an empty slug to the
server (its script cannot romanise), which fills it on save.
"""

import re

from django.conf import settings
from django.utils.text import slugify
from korean_romanizer.romanizer import Romanizer

# The column's size: a slug typed by hand may be this long (longer is a form
# error, never cut).
SLUG_MAX_LENGTH = 200
# A slug made from a headline stops at the last word that fits in this many
# characters: addresses stay readable, and shared links short.
SLUG_FROM_HEADLINE = 80

# Runs of Hangul: syllables, and the compatibility and conjoining jamo.
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+")


def romanize() -> bool:
    """Are slugs made from headlines written in Latin letters?"""
    return bool(getattr(settings, "SLUG_ROMANIZE", False))


def romanized(text: str) -> str:
    """``text`` with its Hangul in the Revised Romanization: "북한의 AI" is
    "bukhanui AI"."""
    return HANGUL.sub(lambda run: Romanizer(run.group()).romanize(), text)


def _slugify(headline: str) -> str:
    if romanize():
        headline = romanized(headline)
    return slugify(headline, allow_unicode=True)


def slug_from(headline: str, limit: int = SLUG_FROM_HEADLINE) -> str:
    """The headline's slug, at most ``limit`` characters, cut at a hyphen;
    romanised with ``SLUG_ROMANIZE``.

    A single word longer than ``limit`` is the one case cut inside a word
    (there is no boundary to cut at).
    """
    slug = _slugify(headline)
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1]
    boundary = cut.rfind("-")
    if boundary > 0:
        return cut[:boundary].strip("-_")
    return slug[:limit].strip("-_")


def was_shortened(headline: str, slug: str) -> bool:
    """Whether ``slug`` leaves words of ``headline`` out (to tell the editor)."""
    return _slugify(headline) != slug and slug_from(headline) == slug
