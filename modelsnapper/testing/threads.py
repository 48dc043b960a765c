"""Helpers for tests that run ORM code in threads."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import connections


def closes_connections(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``fn`` in a worker thread and close that thread's connections after it, whatever happens.

    Each thread opens its own MongoDB client; left open, they outlive the test.
    """

    @wraps(fn)
    def run(*args: Any) -> Any:
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run
