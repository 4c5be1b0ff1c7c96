"""The page cache's background task: sending the purge outbox
(``pagecache.purgers``) to the CDN or proxy."""

import logging

from django.db import DatabaseError
from django.tasks import task

from newsroom import background
from pagecache import conf, purgers

logger = logging.getLogger(__name__)


@task
def send_purges() -> dict[str, int]:
    """Send what is due in the purge outbox: ``{"sent": n, "failed": n,
    "gave_up": n}``. Each request is claimed by one drainer and sent once;
    a purger's failure stays in the outbox for its retry (exponential
    backoff, ``PAGE_CACHE_PURGE_ATTEMPTS``), sent by a later drain: this task
    when the next pages are retired, or ``manage.py run_periodic``."""
    totals = {"sent": 0, "failed": 0, "gave_up": 0}
    while True:
        counts = purgers.drain()
        for name, count in counts.items():
            totals[name] += count
        # A full batch may mean more is due; failures wait for their turn.
        if counts["sent"] + counts["gave_up"] == 0:
            return totals


def send_purges_soon() -> None:
    """After the outbox was written: a worker's task when tasks are queued;
    with the immediate backend, the process's own drainer thread, so the
    reader or editor never waits for a CDN (``PAGE_CACHE_PURGE_IN_BACKGROUND``
    off: the periodic command sends them)."""
    if not conf.settings.PAGE_CACHE_PURGE_IN_BACKGROUND:
        return
    if background.runs_here():
        purgers.background.wake()
    else:
        try:
            send_purges.enqueue()
        except DatabaseError:
            # The outbox is written; the periodic command sends it.
            logger.exception("Could not enqueue the purges")
