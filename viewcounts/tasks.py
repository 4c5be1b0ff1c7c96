"""View counts' background tasks (``newsroom.background``).

The flush is a task too, ``counter.flush_view_counts``: it lives in
``counter`` because ``record_view()`` and ``increment()`` enqueue it (at most
once per ``VIEWCOUNTS_FLUSH_INTERVAL``, the election in ``counter.flush_due``);
here, the two modules would import each other. ``manage.py run_periodic``
runs both.
"""

from django.tasks import task

from viewcounts import rules


@task
def prune_recent_views() -> int:
    """Delete expired reader marks and per-network tallies; how many."""
    return rules.prune_recent_views()
