"""Every task path runs twice: with the immediate backend (the default: at
once, in the process that enqueued it) and with django-tasks-db's database
backend and a real worker (``db_worker``'s ``Worker``, in this process,
against the test database: the same code the ``db_worker`` service runs, and
it works on SQLite's in-memory test database as on PostgreSQL).

The tests use ``transactional_db``: tasks are enqueued after the commit, and
the worker claims them in transactions of its own, as in production.
"""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


class Tasks:
    """The backend under test, and its worker."""

    def __init__(self, name):
        self.name = name
        self.queued = name == "database"

    def work(self) -> int:
        """Run what is ready (nothing to do for the immediate backend, which
        ran it already); how many tasks the worker ran."""
        if not self.queued:
            return 0
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"test-worker-{self.name}",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    def waiting(self, path_end: str = "") -> int:
        return DBTaskResult.objects.filter(
            status="READY", task_path__endswith=path_end
        ).count()

    def make_retries_due(self) -> None:
        """As if the retries' time had come."""
        DBTaskResult.objects.filter(status="READY").update(
            run_after=timezone.now() - datetime.timedelta(seconds=1)
        )


@pytest.fixture(params=sorted(BACKENDS))
def tasks(request, settings, transactional_db):
    settings.TASKS = {"default": {"BACKEND": BACKENDS[request.param]}}
    return Tasks(request.param)
