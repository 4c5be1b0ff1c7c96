"""``reverse()`` for the reader pages' own addresses, remembered.

A front page links some 400 times to stories, sections and authors; each
``reverse()`` walks the URL resolver's possibilities and quotes the result.
The answer depends only on the URL configuration, the script prefix, the
pattern's name and its arguments, so it is kept in a bounded LRU cache keyed
by exactly those: ``override_settings(ROOT_URLCONF=...)``, ``set_urlconf()``
(per-request URL configurations) and ``SCRIPT_NAME`` prefixes each get their
own entries (and the cache is emptied when ``ROOT_URLCONF`` changes).

Only for patterns whose address does not depend on the active language (no
``i18n_patterns`` or translated paths), which is every reader pattern here.
"""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

# About 20 links a story (story, section, bylines) over a few thousand stories.
CACHE_SIZE = 16_384


@lru_cache(maxsize=CACHE_SIZE)
def _reverse(root_urlconf, urlconf, prefix, viewname, args):
    # ``reverse()`` reads the same URL configuration and prefix itself; they
    # are in the key so that entries never cross configurations.
    return reverse(viewname, args=args)


def cached_reverse(viewname: str, *args) -> str:
    """``reverse(viewname, args=args)``, remembered (arguments must be hashable)."""
    return _reverse(
        settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), viewname, args
    )


@receiver(setting_changed)
def _clear_on_urlconf_change(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()
