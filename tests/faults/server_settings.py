"""Settings for app servers the fault tests start: production settings, but
plain static storage, so no collectstatic (a minute of compression) is needed."""

from newsroom.settings import *  # noqa: F403
from newsroom.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
