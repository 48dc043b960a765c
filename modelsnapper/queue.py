"""Send a Celery task by its registered name.

Tasks are the outer layer of every app: they import the services. A service that
queues work therefore names the task instead of importing the tasks module above
it; Celery imports the apps' ``tasks`` modules (its autodiscovery) the first time
a name is not registered yet in this process.
"""

from __future__ import annotations

from typing import Any

from celery import Task, current_app


def task_named(task_name: str) -> Task:
    """The task registered as ``task_name`` (e.g. ``"social.tasks.send_notification_email"``)."""
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]


def enqueue(task_name: str, *args: Any) -> None:
    task_named(task_name).delay(*args)
