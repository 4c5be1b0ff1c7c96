"""Settings for app servers the operations tests start: the fault tests'
(production, plain static storage) with the URLs that fail on purpose."""

from tests.faults.server_settings import *  # noqa: F403

ROOT_URLCONF = "tests.operations.urls"
