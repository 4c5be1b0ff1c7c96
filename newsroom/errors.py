"""Optional error reports to a Sentry-compatible server (Sentry or GlitchTip).

Off unless ``SENTRY_DSN`` is set (``newsroom/settings.py``), so nothing leaves
the newsroom unless an operator asks. When on: the Django integration, no
personal data (no cookies, user, addresses or request bodies), no performance
traces unless ``SENTRY_TRACES_SAMPLE_RATE`` says so, and each report tagged
with the request id the logs carry.
"""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from newsroom.requestid import get_request_id

# What newsroom.middleware and newsroom.views log with each 503.
UNAVAILABLE_MESSAGE = "Database unavailable"


def init_sentry(
    dsn: str,
    *,
    environment: str,
    release: str | None,
    traces_sample_rate: float = 0.0,
) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        # Request bodies may hold a reader's comment or an editor's draft.
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), LoggingIntegration()],
        before_send=tag_request_id,
    )


def tag_request_id(event, hint):
    """Name the request (``X-Request-ID``, the logs' ``request_id``) in the
    report, so one id finds the report and the log lines around it.

    The 503 page's "Database unavailable" lines are not sent: an outage
    would send one per request; ``newsroom_http_unavailable_total`` counts
    them instead."""
    message = (event.get("logentry") or {}).get("message") or ""
    if message.startswith(UNAVAILABLE_MESSAGE):
        return None
    request_id = get_request_id()
    if request_id != "-":
        event.setdefault("tags", {})["request_id"] = request_id
    return event
