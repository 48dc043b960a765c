"""The embedded SecantusDB server used when no MONGODB_URI is configured.

SecantusDB speaks MongoDB's wire protocol over WiredTiger. We run it as a
separate process (``secantusd-py``) so Django, Celery and the server do not
share one interpreter. Its address is written to a small state file under
``.data/`` so every process of a `make run` session finds the same server.

This module must import without Django settings: settings.py reads from it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("MODELSNAPPER_DATA_DIR", BASE_DIR / ".data"))
STATE_FILE = DATA_DIR / "secantus.json"
STORAGE_DIR = DATA_DIR / "db"
LOG_FILE = DATA_DIR / "secantus.log"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServerState:
    pid: int
    port: int
    storage: str

    @property
    def uri(self) -> str:
        return f"mongodb://{HOST}:{self.port}/?directConnection=true"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_state() -> ServerState | None:
    try:
        data = json.loads(STATE_FILE.read_text())
        return ServerState(pid=int(data["pid"]), port=int(data["port"]), storage=data["storage"])
    except (OSError, ValueError, KeyError):
        return None


def current_uri() -> str | None:
    """The running embedded server's URI, or None when none is running."""
    state = read_state()
    if state and _pid_alive(state.pid):
        return state.uri
    return None


def broker_url(mongodb_uri: str, database: str) -> str:
    """A kombu MongoDB-transport URL for the same server, in its own database."""
    base, _, query = mongodb_uri.partition("?")
    base = base.rstrip("/")
    # Drop any database already in the URI path: the broker gets its own.
    scheme, _, rest = base.partition("://")
    hosts = rest.split("/", 1)[0]
    return f"{scheme}://{hosts}/{database}" + (f"?{query}" if query else "")


def _server_command(
    port: int, storage: str, *, test_commands: bool = False, options: tuple[str, ...] = ()
) -> list[str]:
    script = Path(sys.executable).with_name("secantusd-py")
    command = [str(script)] if script.exists() else [shutil.which("secantusd-py") or "secantusd-py"]
    command += ["--host", HOST, "--port", str(port), "--storage-path", storage, "--log-level", "WARNING"]
    if test_commands:
        command.append("--enable-test-commands")
    return command + list(options)


def wait_until_ready(uri: str, timeout: float = 20.0) -> None:
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    deadline = time.monotonic() + timeout
    while True:
        client = MongoClient(uri, serverSelectionTimeoutMS=300)
        try:
            client.admin.command("ping")
            return
        except PyMongoError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"SecantusDB did not answer at {uri} within {timeout:.0f} s") from None
            time.sleep(0.1)
        finally:
            client.close()


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the process that started it dies."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def spawn(
    port: int,
    storage: str,
    *,
    log_path: Path | None = None,
    test_commands: bool = False,
    die_with_parent: bool = False,
    options: tuple[str, ...] = (),
) -> subprocess.Popen:
    """Start a server process and wait until it answers a ping.

    ``die_with_parent`` is for throw-away servers (tests, benchmarks): a run that is
    killed outright cannot leave its database running.
    """
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        _server_command(port, storage, test_commands=test_commands, options=options),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent if die_with_parent and sys.platform == "linux" else None,
    )
    try:
        wait_until_ready(ServerState(process.pid, port, storage).uri)
    except RuntimeError:
        process.kill()
        raise
    return process


class ThrowawayServer:
    """A throw-away server on a free port over a fresh temporary store (``throwaway_server``)."""

    def __init__(self, storage: str, *, test_commands: bool, options: tuple[str, ...]):
        self.port = free_port()
        self.storage = storage
        self.test_commands = test_commands
        self.process: subprocess.Popen = self._spawn(options)

    def _spawn(self, options: tuple[str, ...]) -> subprocess.Popen:
        return spawn(
            self.port, self.storage, test_commands=self.test_commands, die_with_parent=True, options=options
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def uri(self) -> str:
        return ServerState(self.pid, self.port, self.storage).uri

    def restart(self, options: tuple[str, ...] = ()) -> None:
        """Stop cleanly and start again on the same port and store, with these server flags
        (a benchmark seeds on a ``--standalone`` server, which keeps no oplog)."""
        self.stop()
        self.process = self._spawn(options)

    def stop(self) -> None:
        """SIGTERM first (a clean shutdown), SIGKILL if the server has not exited in 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def throwaway_server(
    prefix: str, *, test_commands: bool = False, options: tuple[str, ...] = ()
) -> Iterator[ThrowawayServer]:
    """A server on a free port over a fresh temporary store, for one test run or benchmark.

    Such servers must not outlive the run that started them: a leftover keeps its
    port, its process and its files. So the server is stopped and its store
    deleted however the block ends (an exception, ``sys.exit`` from a signal
    handler), and ``die_with_parent`` covers a run that is killed outright.
    ``options`` are extra server flags.
    """
    storage = tempfile.mkdtemp(prefix=prefix)
    server = None
    try:
        server = ThrowawayServer(storage, test_commands=test_commands, options=options)
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(storage, ignore_errors=True)


def start() -> ServerState:
    """Start the project's embedded server unless it is already running."""
    state = read_state()
    if state and _pid_alive(state.pid):
        return state
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    STORAGE_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = spawn(port, str(STORAGE_DIR), log_path=LOG_FILE)
    state = ServerState(pid=process.pid, port=port, storage=str(STORAGE_DIR))
    STATE_FILE.write_text(json.dumps({"pid": state.pid, "port": state.port, "storage": state.storage}))
    return state


def stop(timeout: float = 15.0) -> bool:
    """Stop the embedded server; True when one was running."""
    state = read_state()
    STATE_FILE.unlink(missing_ok=True)
    if not state or not _pid_alive(state.pid):
        return False
    terminate_pid(state.pid, timeout=timeout)
    return True


def terminate_pid(pid: int, *, timeout: float) -> None:
    """SIGTERM, wait, then SIGKILL: WiredTiger checkpoints on a clean shutdown."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
            if finished:
                return
        except ChildProcessError:
            if not _pid_alive(pid):
                return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def status() -> dict:
    state = read_state()
    if not state:
        return {"running": False}
    alive = _pid_alive(state.pid)
    return {
        "running": alive,
        "pid": state.pid,
        "port": state.port,
        "uri": state.uri,
        "storage": state.storage,
    }
