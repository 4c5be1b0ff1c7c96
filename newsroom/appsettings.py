"""An app's settings: each read under the app's prefix, with its one default.

Each feature app keeps its defaults in its own ``conf.py``
(``settings = AppSettings(...)``); a project overrides them in
``newsroom/settings.py`` or from the environment. Names an earlier release
used are still read, for one release, and ``manage.py check`` says which to
rename (``deprecated_names``, registered by each app).
"""

import os
from collections.abc import Callable
from typing import Any

from django.conf import settings as django_settings
from django.core import checks
from django.core.signals import setting_changed
from django.utils.translation import gettext


class AppSettings:
    """``conf.settings.PAGE_CACHE_TTL`` reads the project's setting, else the
    old name it replaces, else the default (a callable default is called, for
    values that follow another setting, such as "on when the cache is shared").

    Each value is worked out once and remembered until a setting changes
    (``setting_changed``, which ``override_settings`` sends): a page-cache hit
    reads about ten of them, and looking each up again cost a tenth of a hit.
    """

    def __init__(
        self,
        defaults: dict[str, Any | Callable[[], Any]],
        renamed: dict[str, str] | None = None,
    ):
        self.defaults = defaults
        # new name -> the old name still read
        self.renamed = renamed or {}
        self._values = {}
        setting_changed.connect(self._forget, weak=False)

    def _forget(self, **kwargs) -> None:
        # Any setting: a callable default may follow another one.
        self._values.clear()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            pass
        if name not in self.defaults:
            raise AttributeError(name)
        value = self._values[name] = self._resolve(name)
        return value

    def _resolve(self, name: str):
        if hasattr(django_settings, name):
            return getattr(django_settings, name)
        old = self.renamed.get(name)
        if old is not None and hasattr(django_settings, old):
            return getattr(django_settings, old)
        default = self.defaults[name]
        return default() if callable(default) else default

    def deprecated_names(self) -> list[checks.Warning]:
        """For a system check: settings still set under their old names."""
        return [
            checks.Warning(
                gettext(
                    "%(old)s is deprecated and will stop working in the next release."
                )
                % {"old": old},
                hint=gettext("Rename it to %(new)s.") % {"new": new},
                obj="settings",
                id="newsroom.W002",
            )
            for new, old in self.renamed.items()
            if hasattr(django_settings, old) or old in os.environ
        ]
