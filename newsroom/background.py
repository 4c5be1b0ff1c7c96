"""Background tasks (``django.tasks``): the few rules every app's ``tasks.py``
follows, in one place (``docs/deploy.md``, "Background tasks").

- A task is enqueued after the commit of what it works on
  (``enqueue_on_commit()``), with ids and strings as arguments, so the worker
  reads what was stored, and a rollback enqueues nothing.
- A task is idempotent: run twice, the end state is the same. So a retry, or
  the periodic command doing the same work, never does it twice over.
- A task that fails for a reason that may pass (storage, network, mail) is
  tried again later, up to ``ATTEMPTS`` times (``retry_later()``). Each
  attempt is its own result: the failed one stays recorded (django-tasks-db's
  table, the admin's "Internal" section) with its traceback.

The default backend, ``ImmediateBackend``, runs a task at once in the process
that enqueued it (``runs_here()``): one machine behaves as it always did, and
a failure is logged, not retried (it cannot wait). With
``TASKS_BACKEND=database`` tasks wait in the database for ``manage.py
db_worker``.
"""

import datetime
import logging
from functools import partial

from django.apps import apps
from django.db import transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, Task, task_backends
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

logger = logging.getLogger(__name__)

# Tries of a task that keeps failing, and the wait before the second one
# (doubled each time after: 1, 2, 4, 8 minutes).
ATTEMPTS = 5
FIRST_RETRY_SECONDS = 60.0


def runs_here(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> bool:
    """Do tasks run at once, in this process (the immediate backend)?"""
    return isinstance(task_backends[alias], ImmediateBackend)


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    """Enqueue ``task`` once the current transaction commits (at once outside
    one). A failure to enqueue is logged, never raised into the commit: the
    periodic command or the next change does the same work."""
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)


def retry_delay(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``, after ``attempt`` failed."""
    return FIRST_RETRY_SECONDS * 2 ** (attempt - 1)


def retry_later(task: Task, *args, attempt: int, **kwargs) -> bool:
    """After attempt ``attempt`` of ``task`` failed, enqueue attempt
    ``attempt + 1`` for later; False when none is left, or when the backend
    cannot wait (the immediate one: the failure is logged instead).

    The caller then re-raises, so the failed attempt is recorded as failed.
    """
    if attempt >= ATTEMPTS or not task.get_backend().supports_defer:
        logger.error("Task %s failed (attempt %d), not retried", task.name, attempt)
        return False
    when = timezone.now() + datetime.timedelta(seconds=retry_delay(attempt))
    task.using(run_after=when).enqueue(*args, attempt=attempt + 1, **kwargs)
    logger.warning(
        "Task %s failed (attempt %d), retrying at %s", task.name, attempt, when
    )
    return True


def waiting(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> int | None:
    """How many tasks wait to run (ready, due or deferred): a gauge for
    metrics. None when the backend keeps no queue (the immediate one)."""
    backend = task_backends[alias]
    if not backend.supports_get_result:
        return None
    # django-tasks-db's table (the app is always installed: settings.py).
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    return results.objects.filter(status="READY", backend_name=alias).count()
