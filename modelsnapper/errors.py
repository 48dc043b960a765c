"""Walking an exception's chain: what caused it, and what it happened while handling."""

from __future__ import annotations

from collections.abc import Iterator


def exception_chain(exc: BaseException | None) -> Iterator[BaseException]:
    """``exc``, then its ``__cause__`` (or ``__context__``), and so on, each once."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """True when ``exc`` or anything in its chain is a ``kind``."""
    return any(isinstance(link, kind) for link in exception_chain(exc))
