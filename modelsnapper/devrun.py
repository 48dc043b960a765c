"""`make run`: the whole app on one machine with nothing configured.

Starts the embedded SecantusDB server (unless MONGODB_URI is set), migrates,
loads demo data, then runs the web server, a real Celery worker and Celery
beat. Ctrl-C or SIGTERM stops everything this started, database included.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from modelsnapper import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stop(Exception):
    pass


def _raise_stop(signum, _frame):
    raise Stop(signal.Signals(signum).name)


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def child_env(environ: dict) -> dict:
    """The environment every process started here gets.

    ``SITE_URL`` (absolute links in e-mails and webhooks) follows ``PORT`` unless set, so
    ``PORT=8001 make run`` sends links to port 8001, not the default 8000.
    """
    env = dict(environ)
    env.setdefault("DEBUG", "true")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("PORT", "8000")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{env['PORT']}")
    return env


def main() -> int:
    for sig in STOP_SIGNALS:
        signal.signal(sig, _raise_stop)
    env = child_env(os.environ)
    port = env["PORT"]
    if not _port_is_free(int(port)):
        print(f"Port {port} is already in use; choose another with PORT=8001 make run", file=sys.stderr)
        return 2
    started_database = False
    children: list[subprocess.Popen] = []
    try:
        if not env.get("MONGODB_URI"):
            already = embedded.current_uri()
            state = embedded.start()
            started_database = already is None
            env["MONGODB_URI"] = state.uri
            print(f"Embedded SecantusDB at {state.uri} (data in {state.storage})", flush=True)
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("seed_demo", env=env)
        schedule = embedded.DATA_DIR / "celerybeat-schedule"
        embedded.DATA_DIR.mkdir(parents=True, exist_ok=True)
        commands = {
            "worker": [PYTHON, "-m", "celery", "-A", "modelsnapper", "worker", "-l", "INFO", "-c", "2"],
            "beat": [PYTHON, "-m", "celery", "-A", "modelsnapper", "beat", "-l", "INFO", "-s", str(schedule)],
            "web": [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        }
        for name, command in commands.items():
            children.append(subprocess.Popen(command, cwd=BASE_DIR, env=env))
            print(f"started {name} (pid {children[-1].pid})", flush=True)
        print(
            f"\nModelSnapper is running at http://127.0.0.1:{port}  (Ctrl-C stops everything)\n", flush=True
        )
        while True:
            for child in children:
                if child.poll() is not None:
                    print(f"a process exited with code {child.returncode}; stopping", flush=True)
                    return child.returncode or 1
            time.sleep(0.5)
    except Stop as stop:
        print(f"\n{stop}: stopping", flush=True)
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"start-up step failed: {' '.join(map(str, exc.cmd))}", flush=True)
        return exc.returncode or 1
    finally:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        _stop_children(children)
        if started_database:
            embedded.stop()
            print("Embedded SecantusDB stopped.", flush=True)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _stop_children(children: list[subprocess.Popen], timeout: float = 15.0) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    sys.exit(main())
