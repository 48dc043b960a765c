"""A service queues a task by name, without importing the tasks module above it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FRESH = """
import sys
import django
django.setup()
assert "social.tasks" not in sys.modules
from modelsnapper.queue import task_named
task = task_named("social.tasks.send_notification_email")
print(task.name, "social.tasks" in sys.modules)
"""


def test_a_task_is_found_by_name_in_a_process_that_never_imported_its_module():
    result = subprocess.run(
        [sys.executable, "-c", FRESH],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "modelsnapper.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["social.tasks.send_notification_email", "True"]
