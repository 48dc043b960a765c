"""Running code at a named point of a real service (see ``modelsnapper.seams``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from modelsnapper import seams


@contextmanager
def at(name: str, hook: Callable[..., None]) -> Iterator[None]:
    """Run ``hook(**context)`` each time the service reaches ``name``, until the block ends."""
    seams.hooks[name] = hook
    try:
        yield
    finally:
        seams.hooks.pop(name, None)
