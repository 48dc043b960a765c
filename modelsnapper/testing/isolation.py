"""Per-test database isolation in tens of milliseconds.

Django's TestCase cannot roll back on this backend, and flushing costs
150-200 ms per test. Instead a pymongo command listener records which
collections a test wrote to; afterwards only those collections are put back to
the state they had right after migrate (the "baseline").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pymongo import monitoring

WRITE_COMMANDS = frozenset({"insert", "update", "delete", "findAndModify", "create"})
# Connection upkeep, not a page's work.
UPKEEP_COMMANDS = frozenset({"hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo"})


class WriteRecorder(monitoring.CommandListener):
    """Remembers the collections of one database that received writes."""

    def __init__(self) -> None:
        self.database: str | None = None
        self.paused = False
        self._touched: set[str] = set()
        self._lock = threading.Lock()
        self._captures: list[list[dict]] = []

    @contextmanager
    def commands(self) -> Iterator[list[dict]]:
        """Every command this process sends inside the block (one command, one round trip):
        ORM queries, raw pymongo calls and writes alike; connection upkeep is left out."""
        captured: list[dict] = []
        with self._lock:
            self._captures.append(captured)
        try:
            yield captured
        finally:
            with self._lock:
                self._captures.remove(captured)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self._captures and event.command_name not in UPKEEP_COMMANDS:
            with self._lock:
                for captured in self._captures:
                    captured.append(dict(event.command))
        if self.paused or event.command_name not in WRITE_COMMANDS:
            return
        if self.database is not None and event.database_name != self.database:
            return
        name = event.command.get(event.command_name)
        if isinstance(name, str):
            with self._lock:
                self._touched.add(name)

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass

    def peek(self) -> set[str]:
        """The collections written so far in this test, leaving them to be restored."""
        with self._lock:
            return set(self._touched)

    def drain(self) -> set[str]:
        with self._lock:
            touched, self._touched = self._touched, set()
        return touched


recorder = WriteRecorder()


class Baseline:
    """The documents every collection held right after migrate."""

    def __init__(self) -> None:
        self.documents: dict[str, list[dict]] = {}

    def capture(self, database) -> None:
        recorder.database = database.name
        self.documents = {
            name: list(database[name].find())
            for name in database.list_collection_names()
            if not name.startswith("system.")
        }
        recorder.drain()

    def restore(self, database, collections: set[str] | None = None) -> int:
        """Put written collections back to the baseline; returns how many."""
        names = recorder.drain() if collections is None else collections
        recorder.paused = True
        try:
            # A transaction a test abandoned (on a thread's connection, or in a worker it killed)
            # keeps its documents locked, and SecantusDB never expires it: the deletes below
            # would wait forever. The test is over, so every session it left is ended here.
            database.client.admin.command({"killAllSessions": []})
            for name in names:
                collection = database[name]
                original = self.documents.get(name, [])
                if not original:
                    collection.delete_many({})
                    continue
                collection.delete_many({"_id": {"$nin": [doc["_id"] for doc in original]}})
                for doc in original:
                    collection.replace_one({"_id": doc["_id"]}, doc, upsert=True)
        finally:
            recorder.paused = False
        return len(names)

    def restore_everything(self, database) -> int:
        """For tests whose writes come from other processes (a Celery worker)."""
        names = {n for n in database.list_collection_names() if not n.startswith("system.")}
        return self.restore(database, names | recorder.drain())


baseline = Baseline()
